package io.bootcluster.master;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.bootcluster.ClusterStatus;
import io.bootcluster.autoconfigure.ClusterProperties;
import io.bootcluster.autoconfigure.ClusterSettings;
import io.bootcluster.internal.ipc.Connection;
import io.bootcluster.internal.ipc.DaemonThreads;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.internal.ipc.TestConnections;

import org.springframework.context.ApplicationEvent;
import org.springframework.core.env.StandardEnvironment;

/**
 * A supervisor on a {@link ManualLoop} with {@link FakeWorkers}: the test plays the
 * workers' part over real channel connections, and moves the clock.
 */
final class SupervisorHarness implements AutoCloseable {

	static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

	static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(10);

	static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

	static final Duration INITIAL_BACKOFF = Duration.ofMillis(100);

	final ManualLoop loop = new ManualLoop();

	final FakeWorkers workers = new FakeWorkers();

	final List<ApplicationEvent> events = new CopyOnWriteArrayList<>();

	final Supervisor supervisor;

	private final FrameCodec codec = new FrameCodec(FrameCodec.DEFAULT_MAX_FRAME_SIZE);

	private final Path directory;

	private final ServerSocketChannel server;

	private final Map<Integer, Connection> connections = new ConcurrentHashMap<>();

	private final Map<Integer, List<Message>> received = new ConcurrentHashMap<>();

	private final List<SocketChannel> channels = new ArrayList<>();

	private final Set<Integer> silent = ConcurrentHashMap.newKeySet();

	private long markers;

	SupervisorHarness(int desiredWorkers, int standbyWorkers, int maxCrashes, int cpus) throws IOException {
		this.directory = Files.createTempDirectory("supervisor");
		this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		this.server.bind(UnixDomainSocketAddress.of(this.directory.resolve("s")));
		ClusterProperties properties = new ClusterProperties();
		properties.setWorkers(Integer.toString(desiredWorkers));
		properties.setStandbyWorkers(standbyWorkers);
		properties.setShutdownTimeout(SHUTDOWN_TIMEOUT);
		properties.getWorker().setStartupTimeout(STARTUP_TIMEOUT);
		properties.getWorker().setHeartbeatTimeout(HEARTBEAT_TIMEOUT);
		properties.getRestart().setInitialBackoff(INITIAL_BACKOFF);
		properties.getRestart().setBackoffMultiplier(2);
		properties.getRestart().setMaxBackoff(Duration.ofSeconds(5));
		properties.getRestart().setStableUptime(Duration.ofSeconds(30));
		properties.getRestart().setMaxCrashes(maxCrashes);
		ClusterMaster.MasterSettings settings = ClusterSettings.master(properties, List.of(), new StandardEnvironment());
		// Memory for eight workers
		WorkerSizing sizing = WorkerSizing.plan(desiredWorkers, cpus, 8L << 30, 1L << 30, List.of(), List.of());
		Supervisor.Layout layout = new Supervisor.Layout(sizing, 8080, true, cpus, List.of(), null);
		this.supervisor = new Supervisor(settings, layout, this.codec, this.loop, this.workers, this.events::add);
		this.supervisor.start(() -> {
		});
	}

	/**
	 * Joins a forked worker to the channel, as its JVM does once it has started.
	 * @param id the worker's id
	 * @return whether the master took it
	 */
	boolean join(int id) throws IOException {
		SocketChannel worker = SocketChannel.open(StandardProtocolFamily.UNIX);
		worker.connect(this.server.getLocalAddress());
		SocketChannel master = this.server.accept();
		this.channels.add(worker);
		this.channels.add(master);
		List<Message> messages = new CopyOnWriteArrayList<>();
		this.received.put(id, messages);
		DaemonThreads.start("worker-" + id, () -> {
			try {
				Message message;
				while ((message = this.codec.read(worker)) != null) {
					messages.add(message);
				}
			}
			catch (IOException ex) {
				// Closed
			}
		});
		Connection connection = TestConnections.direct(master, this.codec);
		this.connections.put(id, connection);
		return this.supervisor.channel()
			.accept(connection, new Message.Hello(id, this.workers.get(id).pid(), ""));
	}

	/**
	 * Joins workers, then reports each listening and ready, in order.
	 * @param ids the workers' ids
	 */
	void serve(int... ids) throws IOException {
		for (int id : ids) {
			if (!join(id)) {
				throw new AssertionError("Worker " + id + " could not join");
			}
			send(id, new Message.Listening("0.0.0.0", 8080, true));
			send(id, new Message.Ready(true));
		}
	}

	/**
	 * Stops a worker as an operator does.
	 * @param id the worker's id
	 */
	void stopWorker(int id) {
		this.loop.call(() -> {
			this.supervisor.stopWorker(id);
			return null;
		});
	}

	/**
	 * Sends a message from a worker to the master, as its channel's reader hands it on.
	 * @param id the worker's id
	 * @param message the message
	 */
	void send(int id, Message message) {
		this.supervisor.channel().received(this.connections.get(id), message);
	}

	/**
	 * Closes a worker's channel, as the master's reader sees it.
	 * @param id the worker's id
	 */
	void close(int id) {
		Connection connection = this.connections.get(id);
		connection.close();
		this.supervisor.channel().closed(connection);
	}

	/**
	 * Whether a worker has been sent a message of a type so far.
	 * @param id the worker's id
	 * @param type the message's type
	 * @return whether it was sent one
	 */
	boolean wasSent(int id, Class<? extends Message> type) {
		return sent(id).stream().anyMatch(type::isInstance);
	}

	/**
	 * What the master has sent a worker so far: a marker sent after them on the same
	 * connection tells when they have all crossed the socket.
	 * @param id the worker's id
	 * @return the messages
	 */
	List<Message> sent(int id) {
		List<Message> messages = this.received.get(id);
		if (messages == null) {
			return List.of();
		}
		Message.Welcome marker = new Message.Welcome(-(++this.markers));
		if (!this.connections.get(id).trySend(marker)) {
			return messages.stream().filter((message) -> !isMarker(message)).toList();
		}
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (!messages.contains(marker)) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Worker " + id + " did not receive what the master sent within 5s");
			}
			Thread.onSpinWait();
		}
		return messages.stream().filter((message) -> !isMarker(message)).toList();
	}

	private static boolean isMarker(Message message) {
		return message instanceof Message.Welcome welcome && welcome.masterPid() < 0;
	}

	Connection connection(int id) {
		return this.connections.get(id);
	}

	FakeWorkers.Handle worker(int id) {
		return this.workers.get(id);
	}

	ClusterStatus status() {
		return this.loop.call(this.supervisor::status);
	}

	<T> T call(java.util.concurrent.Callable<T> task) {
		return this.loop.call(task);
	}

	/**
	 * Moves the clock, a second at most at a time, with a heartbeat from every worker on
	 * the channel that is not {@linkplain #silence(int) silent} before each second.
	 * @param duration how far
	 */
	void advance(Duration duration) {
		Duration left = duration;
		while (!left.isZero()) {
			this.connections.forEach((id, connection) -> {
				if (!this.silent.contains(id) && connection.isOpen() && this.workers.get(id).isAlive()) {
					send(id, new Message.Heartbeat(1, 2, 0.5, 3));
				}
			});
			Duration step = (left.compareTo(Duration.ofSeconds(1)) > 0) ? Duration.ofSeconds(1) : left;
			this.loop.advance(step);
			left = left.minus(step);
		}
	}

	/**
	 * Stops a worker's heartbeats, as when it hangs.
	 * @param id the worker's id
	 */
	void silence(int id) {
		this.silent.add(id);
	}

	@Override
	public void close() throws IOException {
		for (SocketChannel channel : this.channels) {
			channel.close();
		}
		this.server.close();
		Files.deleteIfExists(this.directory.resolve("s"));
		Files.deleteIfExists(this.directory);
		if (!this.loop.failures().isEmpty()) {
			AssertionError error = new AssertionError("The supervisor failed tasks");
			this.loop.failures().forEach(error::addSuppressed);
			throw error;
		}
	}

}
