package io.bootcluster.worker;

import java.nio.file.Path;
import java.time.Duration;

import io.bootcluster.internal.ipc.ChannelAddress;

/**
 * Worker runtimes for tests of what is built on them: not joined to any master, and
 * ending no JVM.
 */
public final class TestWorkerRuntimes {

	private TestWorkerRuntimes() {
	}

	public static WorkerRuntime unjoined(int id) {
		return new WorkerRuntime(id, new ChannelAddress(Path.of("/nonexistent/master.sock"), "secret"),
				new WorkerOptions(UncaughtExceptionPolicy.REPLACE, 0, 0, Duration.ofSeconds(1)), false,
				new RecordedEnds());
	}

}
