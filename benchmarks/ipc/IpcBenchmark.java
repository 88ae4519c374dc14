import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

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
 * The cluster's channel and messengers between a master and worker processes, measured as
 * {@code node-cluster.js} measures Node's {@code process.send}:
 * <ul>
 * <li>ping: the worker asks, a listener in the master answers, one request at a time, with
 * {@code request} (a future) and then with {@code ask} (the asking thread reads the
 * answer);</li>
 * <li>burst: the worker sends 100,000 messages of about 100 bytes to the master, then asks
 * it once, which answers after it published them all, in order; the sixth such burst is
 * measured, once both sides compiled the code it runs;</li>
 * <li>relay: a worker asks another worker, through the master, one request at a time.</li>
 * </ul>
 * Run as {@code IpcBenchmark master}; it starts the workers itself, one scenario at a time.
 */
public final class IpcBenchmark {

	private static final int WARMUP = 100_000;

	private static final int MEASURED = 100_000;

	private static final int BURST = 100_000;

	private static final int BURST_WARMUP_ROUNDS = 5;

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private final Map<Integer, Connection> workers = new ConcurrentHashMap<>();

	private final ChannelMessenger messenger;

	private final FrameCodec codec = new FrameCodec(FrameCodec.DEFAULT_MAX_FRAME_SIZE);

	// The connections workers read their answers on, by worker and route
	private final Map<String, SocketChannel> replyRoutes = new ConcurrentHashMap<>();

	private long burstReceived;

	private long burstOutOfOrder;

	public static void main(String[] args) throws Exception {
		if (args.length > 1 && args[0].equals("worker")) {
			worker(args[1]);
		}
		else {
			new IpcBenchmark().run();
		}
	}

	private IpcBenchmark() {
		this.messenger = new ChannelMessenger(ClusterMessenger.MASTER, this::route, (event) -> {
			if (event instanceof ClusterMessageEvent message) {
				received(message);
			}
		});
	}

	private void received(ClusterMessageEvent message) {
		switch (message.getTopic()) {
			case "ping" -> message.reply(message.getPayload());
			case "burst" -> {
				if (message.getPayload().get("seq").asLong() != this.burstReceived) {
					this.burstOutOfOrder++;
				}
				this.burstReceived++;
			}
			case "burst-done" -> {
				message.reply(this.burstReceived + " received, " + this.burstOutOfOrder + " out of order");
				this.burstReceived = 0;
				this.burstOutOfOrder = 0;
			}
			default -> throw new IllegalArgumentException(message.getTopic());
		}
	}

	// As the master's router does, on the thread that sends or read the message: an answer
	// on the reply route its request named, when it named one
	private void route(Message message) {
		if (message instanceof Message.UserReply reply && reply.via() > 0) {
			SocketChannel route = this.replyRoutes.get(reply.to() + "/" + reply.via());
			try {
				synchronized (route) {
					this.codec.write(route, reply);
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		else if (message instanceof Message.UserReply reply) {
			this.workers.get(reply.to()).trySend(reply);
		}
		else if (message instanceof Message.UserMessage sent) {
			this.workers.get(sent.to()).trySend(sent);
		}
	}

	private void run() throws Exception {
		ChannelAddress address = ChannelAddress.create();
		ChannelServer server = ChannelServer.start(address, this.codec, new ChannelServer.Handler() {

			@Override
			public boolean accept(Connection connection, Message.Hello hello) {
				connection.trySend(new Message.Welcome(ProcessHandle.current().pid()));
				IpcBenchmark.this.workers.put(hello.workerId(), connection);
				List<Integer> members = List.copyOf(IpcBenchmark.this.workers.keySet());
				IpcBenchmark.this.workers.values().forEach((each) -> each.trySend(new Message.Members(members)));
				return true;
			}

			@Override
			public void received(Connection connection, Message message) {
				if (message instanceof Message.UserMessage sent && sent.to() == ClusterMessenger.MASTER) {
					IpcBenchmark.this.messenger.deliver(sent);
				}
				else {
					route(message);
				}
			}

			@Override
			public void closed(Connection connection) {
				IpcBenchmark.this.workers.values().remove(connection);
			}

			@Override
			public Consumer<SocketChannel> attach(Message.Attach attach) {
				return (channel) -> IpcBenchmark.this.replyRoutes.put(attach.workerId() + "/" + attach.replyRoute(),
						channel);
			}

		});
		try {
			scenario(address, "ping");
			scenario(address, "burst");
			scenario(address, "relay-answer", "relay");
		}
		finally {
			server.close();
		}
	}

	// Starts one worker per role, and waits for the last, which measures, to finish
	private void scenario(ChannelAddress address, String... roles) throws Exception {
		Process[] processes = new Process[roles.length];
		for (int i = 0; i < roles.length; i++) {
			processes[i] = fork(address, i + 1, roles[i]);
		}
		Process measuring = processes[roles.length - 1];
		boolean finished = measuring.waitFor(5, TimeUnit.MINUTES);
		for (Process process : processes) {
			process.destroyForcibly().waitFor();
		}
		if (!finished || measuring.exitValue() != 0) {
			throw new IllegalStateException("The " + roles[roles.length - 1] + " worker failed");
		}
	}

	private Process fork(ChannelAddress address, int id, String role) throws Exception {
		ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
				System.getProperty("java.class.path"), IpcBenchmark.class.getName(), "worker", role)
			.redirectOutput(ProcessBuilder.Redirect.INHERIT)
			.redirectError(ProcessBuilder.Redirect.INHERIT);
		builder.environment().put(ChannelAddress.WORKER_ID_ENV, Integer.toString(id));
		address.addTo(builder.environment());
		Process worker = builder.start();
		// As a master does: the secret on the worker's standard input
		try (OutputStream input = worker.getOutputStream()) {
			input.write((address.secret() + "\n").getBytes(StandardCharsets.UTF_8));
		}
		return worker;
	}

	private static void worker(String role) throws Exception {
		WorkerRuntime runtime = WorkerRuntime.join(WorkerIdentity.current(), FrameCodec.DEFAULT_MAX_FRAME_SIZE,
				new WorkerOptions(UncaughtExceptionPolicy.IGNORE, 0, 0, WorkerOptions.HEARTBEAT_INTERVAL));
		ChannelMessenger[] self = new ChannelMessenger[1];
		self[0] = runtime.createMessenger((event) -> {
			if (event instanceof ClusterMessageEvent message) {
				message.reply(message.getPayload());
			}
		}, FrameCodec.mapper());
		ChannelMessenger messenger = self[0];
		switch (role) {
			case "ping" -> {
				roundTrips("ipc request", messenger, ClusterMessenger.MASTER, false);
				roundTrips("ipc", messenger, ClusterMessenger.MASTER, true);
			}
			case "burst" -> burst(messenger);
			case "relay" -> {
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
				while (!messenger.workers().contains(1) && System.nanoTime() < deadline) {
					Thread.sleep(10);
				}
				roundTrips("ipc worker to worker", messenger, 1, true);
			}
			case "relay-answer" -> Thread.sleep(Long.MAX_VALUE);
			default -> throw new IllegalArgumentException(role);
		}
		System.exit(0);
	}

	// With ask, which a thread that waits for its answer anyway uses: it reads the answer
	// itself, from a reply route; or with request, whose future the worker's reader completes
	private static void roundTrips(String name, ClusterMessenger messenger, int to, boolean ask) {
		for (int i = 0; i < WARMUP; i++) {
			roundTrip(messenger, to, i, ask);
		}
		long[] nanos = new long[MEASURED];
		long start = System.nanoTime();
		for (int i = 0; i < MEASURED; i++) {
			long sent = System.nanoTime();
			roundTrip(messenger, to, i, ask);
			nanos[i] = System.nanoTime() - sent;
		}
		long elapsed = System.nanoTime() - start;
		Arrays.sort(nanos);
		System.out.printf("%s: %d round trips/s, p50 %d us, p99 %d us%n", name, MEASURED * 1_000_000_000L / elapsed,
				TimeUnit.NANOSECONDS.toMicros(nanos[MEASURED / 2]),
				TimeUnit.NANOSECONDS.toMicros(nanos[MEASURED * 99 / 100]));
	}

	private static int roundTrip(ClusterMessenger messenger, int to, int i, boolean ask) {
		return ask ? messenger.ask(to, "ping", i, Integer.class, TIMEOUT)
				: messenger.request(to, "ping", i, Integer.class, TIMEOUT).join();
	}

	private static void burst(ClusterMessenger messenger) {
		String text = "x".repeat(64);
		// Bursts before warm the same code up, on both sides of the channel
		for (int round = 0; round <= BURST_WARMUP_ROUNDS; round++) {
			long start = System.nanoTime();
			for (int i = 0; i < BURST; i++) {
				messenger.send(ClusterMessenger.MASTER, "burst", new Burst(i, text));
			}
			String outcome = messenger.request(ClusterMessenger.MASTER, "burst-done", "", String.class, TIMEOUT)
				.join();
			long elapsed = System.nanoTime() - start;
			if (!outcome.equals(BURST + " received, 0 out of order")) {
				throw new IllegalStateException("Burst: " + outcome);
			}
			if (round == BURST_WARMUP_ROUNDS) {
				System.out.printf("ipc burst: %d messages/s%n", BURST * 1_000_000_000L / elapsed);
			}
		}
	}

	record Burst(long seq, String text) {
	}

}
