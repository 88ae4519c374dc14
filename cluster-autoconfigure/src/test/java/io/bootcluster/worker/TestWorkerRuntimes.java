package io.bootcluster.worker;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Worker runtimes for tests of what is built on them: not joined to any master, and
 * ending no JVM.
 */
public final class TestWorkerRuntimes {

	private TestWorkerRuntimes() {
	}

	public static WorkerRuntime unjoined(int id) {
		return new WorkerRuntime(id, Path.of("/nonexistent/master.sock"),
				new WorkerOptions(UncaughtExceptionPolicy.REPLACE, 0, 0, Duration.ofSeconds(1)), false,
				new RecordedEnds());
	}

}
