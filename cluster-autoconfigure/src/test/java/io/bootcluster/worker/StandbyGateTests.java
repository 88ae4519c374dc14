package io.bootcluster.worker;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.TestConnections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gate before a worker's web server, over a real socket: nothing passes it before the
 * master has welcomed the worker.
 */
class StandbyGateTests {

	@TempDir
	Path directory;

	@Test
	void aWorkersWebServerStartsOnlyOnceItsMasterWelcomedIt() throws Exception {
		FrameCodec codec = new FrameCodec(FrameCodec.DEFAULT_MAX_FRAME_SIZE);
		Path socket = this.directory.resolve("master.sock");
		try (ServerSocketChannel silentMaster = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
				TestConnections.Pair welcomed = TestConnections.pair(codec);
				GenericApplicationContext context = new GenericApplicationContext()) {
			silentMaster.bind(UnixDomainSocketAddress.of(socket));
			WorkerRuntime runtime = new WorkerRuntime(1, socket,
					new WorkerOptions(UncaughtExceptionPolicy.REPLACE, 0, 0, Duration.ofSeconds(1)), false,
					new RecordedEnds());
			// Joining a master that has not answered yet
			runtime.open(socket, () -> "secret", codec);
			StandbyGate gate = new StandbyGate(runtime, List.of(), context);
			CompletableFuture<Void> started = CompletableFuture.runAsync(gate::start);
			Thread.sleep(300);
			assertThat(started).isNotDone();
			assertThat(gate.isRunning()).isFalse();
			// Welcomed
			runtime.connected(welcomed.worker());
			started.get(5, TimeUnit.SECONDS);
			assertThat(gate.isRunning()).isTrue();
		}
	}

	@Test
	void aRuntimeThatNeverJoinsPassesStraightThrough() throws Exception {
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			StandbyGate gate = new StandbyGate(TestWorkerRuntimes.unjoined(1), List.of(), context);
			CompletableFuture.runAsync(gate::start).get(5, TimeUnit.SECONDS);
			assertThat(gate.isRunning()).isTrue();
		}
	}

}
