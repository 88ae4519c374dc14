import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.bootcluster.ClusterMessageEvent;
import io.bootcluster.ClusterMessenger;
import io.bootcluster.internal.ipc.ChannelAddress;
import io.bootcluster.internal.ipc.ChannelServer;
import io.bootcluster.internal.ipc.Connection;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.internal.ipc.WorkerIdentity;
import io.bootcluster.messaging.ChannelMessenger;
import io.bootcluster.worker.UncaughtExceptionPolicy;
import io.bootcluster.worker.WorkerOptions;
import io.bootcluster.worker.WorkerRuntime;

/**
 * Round trips between a master and one worker process through the cluster's own channel
 * and messengers: the worker asks, a listener in the master answers, one request at a time.
 * Run as {@code IpcBenchmark master}; it starts the worker itself.
 */
public final class IpcBenchmark {

	private static final int WARMUP = 30_000;

	private static final int MEASURED = 200_000;

	public static void main(String[] args) throws Exception {
		if (args.length > 0 && args[0].equals("worker")) {
			worker();
		}
		else {
			master();
		}
	}

	private static void master() throws Exception {
		ChannelAddress address = ChannelAddress.create();
		FrameCodec codec = new FrameCodec(FrameCodec.DEFAULT_MAX_FRAME_SIZE);
		Map<Integer, Connection> workers = new HashMap<>();
		ChannelMessenger[] messenger = new ChannelMessenger[1];
		messenger[0] = new ChannelMessenger(ClusterMessenger.MASTER, (message) -> {
			if (message instanceof Message.UserReply reply) {
				workers.get(reply.to()).send(reply);
			}
		}, (event) -> {
			if (event instanceof ClusterMessageEvent ping) {
				ping.reply(ping.getPayload());
			}
		});
		ChannelServer server = ChannelServer.start(address, codec, new ChannelServer.Handler() {

			@Override
			public boolean accept(Connection connection, Message.Hello hello) {
				workers.put(hello.workerId(), connection);
				connection.trySend(new Message.Welcome(ProcessHandle.current().pid()));
				connection.trySend(new Message.Members(List.of(hello.workerId())));
				return true;
			}

			@Override
			public void received(Connection connection, Message message) {
				if (message instanceof Message.UserMessage request) {
					messenger[0].deliver(request);
				}
			}

			@Override
			public void closed(Connection connection) {
			}

		});
		ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
				System.getProperty("java.class.path"), IpcBenchmark.class.getName(), "worker")
			.redirectOutput(ProcessBuilder.Redirect.INHERIT)
			.redirectError(ProcessBuilder.Redirect.INHERIT);
		builder.environment().put(ChannelAddress.WORKER_ID_ENV, "1");
		address.addTo(builder.environment());
		Process worker = builder.start();
		// As a master does: the secret on the worker's standard input
		try (OutputStream input = worker.getOutputStream()) {
			input.write((address.secret() + "\n").getBytes(StandardCharsets.UTF_8));
		}
		if (!worker.waitFor(5, TimeUnit.MINUTES) || worker.exitValue() != 0) {
			worker.destroyForcibly();
			throw new IllegalStateException("The worker failed");
		}
		server.close();
	}

	private static void worker() throws Exception {
		WorkerRuntime runtime = WorkerRuntime.join(WorkerIdentity.current(), FrameCodec.DEFAULT_MAX_FRAME_SIZE,
				new WorkerOptions(UncaughtExceptionPolicy.IGNORE, 0, 0, WorkerOptions.HEARTBEAT_INTERVAL));
		ChannelMessenger messenger = runtime.createMessenger((event) -> {
		}, FrameCodec.mapper());
		Duration timeout = Duration.ofSeconds(10);
		for (int i = 0; i < WARMUP; i++) {
			messenger.request(ClusterMessenger.MASTER, "ping", i, Integer.class, timeout).join();
		}
		long[] nanos = new long[MEASURED];
		long start = System.nanoTime();
		for (int i = 0; i < MEASURED; i++) {
			long sent = System.nanoTime();
			messenger.request(ClusterMessenger.MASTER, "ping", i, Integer.class, timeout).join();
			nanos[i] = System.nanoTime() - sent;
		}
		long elapsed = System.nanoTime() - start;
		Arrays.sort(nanos);
		System.out.printf("ipc: %d round trips/s, p50 %d us, p99 %d us%n", MEASURED * 1_000_000_000L / elapsed,
				TimeUnit.NANOSECONDS.toMicros(nanos[MEASURED / 2]),
				TimeUnit.NANOSECONDS.toMicros(nanos[MEASURED * 99 / 100]));
		System.exit(0);
	}

}
