package io.bootcluster.worker;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

import io.bootcluster.DisconnectRequestedEvent;
import io.bootcluster.ipc.ChannelAddress;
import io.bootcluster.ipc.ChannelClient;
import io.bootcluster.ipc.Connection;
import io.bootcluster.ipc.FrameCodec;
import io.bootcluster.ipc.Message;
import io.bootcluster.ipc.PendingRequests;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import sun.misc.Signal;
import sun.misc.SignalHandler;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A worker's link to its master. Joins the master's channel as the worker's JVM starts,
 * before the application's context exists, then:
 * <ul>
 * <li>on the master's disconnect request, publishes a {@link DisconnectRequestedEvent},
 * closes the application gracefully and exits;</li>
 * <li>when the master is gone, however it died, exits within seconds: an orphan would
 * keep taking a share of the port's connections.</li>
 * </ul>
 */
public final class WorkerRuntime {

	private static final Log logger = LogFactory.getLog(WorkerRuntime.class);

	private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(10);

	/** How long an orphaned worker may spend closing before it halts. */
	private static final Duration ORPHAN_GRACE = Duration.ofSeconds(3);

	private static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);

	private final int id;

	private final ChannelAddress address;

	private final Connection connection;

	private final long masterPid;

	private volatile @Nullable ConfigurableApplicationContext context;

	private volatile boolean leaving;

	private volatile boolean leftCleanly;

	private volatile boolean orphaned;

	private final PendingRequests pending = new PendingRequests();

	private final Map<String, Function<JsonNode, JsonNode>> requestHandlers = new ConcurrentHashMap<>();

	private final LongAdder requestsServed = new LongAdder();

	private final ExecutorService requestExecutor = Executors.newSingleThreadExecutor((task) -> {
		Thread thread = new Thread(task, "cluster-requests");
		thread.setDaemon(true);
		return thread;
	});

	private WorkerRuntime(int id, ChannelAddress address, Connection connection, long masterPid) {
		this.id = id;
		this.address = address;
		this.connection = connection;
		this.masterPid = masterPid;
	}

	/**
	 * Joins the master that started this JVM.
	 * @param environment the process environment
	 * @param maxFrameSize the largest frame the channel accepts, in bytes
	 * @return the runtime, or {@code null} when this JVM is not a worker
	 * @throws IOException if the master cannot be joined
	 */
	public static @Nullable WorkerRuntime join(Map<String, String> environment, int maxFrameSize) throws IOException {
		String id = environment.get(ChannelAddress.WORKER_ID_ENV);
		if (id == null) {
			return null;
		}
		ChannelAddress address = ChannelAddress.fromEnvironment(environment);
		if (address == null) {
			throw new IOException(ChannelAddress.WORKER_ID_ENV + " is set but " + ChannelAddress.SOCKET_ENV
					+ " is not: workers are started by their master, not by hand");
		}
		ChannelClient.Session session = ChannelClient.connect(address, new FrameCodec(maxFrameSize),
				Integer.parseInt(id), JOIN_TIMEOUT);
		WorkerRuntime runtime = new WorkerRuntime(Integer.parseInt(id), address, session.connection(),
				session.masterPid());
		runtime.start();
		return runtime;
	}

	private void start() {
		Thread reader = new Thread(this::receive, "cluster-ipc-master");
		reader.setDaemon(true);
		reader.start();
		Thread heartbeat = new Thread(this::beat, "cluster-heartbeat");
		heartbeat.setDaemon(true);
		heartbeat.start();
		ProcessHandle.of(this.masterPid).ifPresentOrElse((master) -> master.onExit().thenRun(this::masterGone),
				this::masterGone);
	}

	/**
	 * Makes a worker's JVM ignore SIGINT. Ctrl-C reaches every process in the terminal's
	 * group: the master stops the workers in order, so a worker waits for its disconnect
	 * request instead of dying on the spot.
	 */
	public static void ignoreInterrupts() {
		try {
			Signal.handle(new Signal("INT"), SignalHandler.SIG_IGN);
		}
		catch (IllegalArgumentException ex) {
			// No such signal here
		}
	}

	/**
	 * This worker's id.
	 * @return the id
	 */
	public int id() {
		return this.id;
	}

	/**
	 * Sends the master a message.
	 * @param message the message
	 * @throws IOException if the channel is closed
	 */
	public void send(Message message) throws IOException {
		this.connection.send(message);
	}

	/**
	 * Asks the master to do something.
	 * @param action what to do
	 * @param body the action's input
	 * @param timeout how long to wait for the answer
	 * @return the master's answer; fails with a
	 * {@link PendingRequests.RequestRejectedException} when the master refuses the request
	 */
	public CompletableFuture<JsonNode> request(String action, JsonNode body, Duration timeout) {
		PendingRequests.Pending request = this.pending.create(action, body, timeout);
		if (!this.connection.trySend(request.request())) {
			this.pending.failAll("The channel to the master is closed");
		}
		return request.reply();
	}

	/**
	 * Answers the master's requests for an action. Handlers run one at a time, off the
	 * channel's reader thread.
	 * @param action the action
	 * @param handler computes the answer from the request's input
	 */
	public void onRequest(String action, Function<JsonNode, JsonNode> handler) {
		this.requestHandlers.put(action, handler);
	}

	/**
	 * Counts a request this worker served, for the master's view of the cluster.
	 */
	public void countRequest() {
		this.requestsServed.increment();
	}

	/**
	 * Gives the runtime the application's context, to be closed when the master asks.
	 * @param context the worker's application context
	 */
	public void attach(ConfigurableApplicationContext context) {
		this.context = context;
	}

	private void receive() {
		try {
			this.connection.receiveEach(this::handle);
		}
		catch (IOException ex) {
			if (!this.leaving) {
				logger.error("The channel to the master failed: " + ex.getMessage());
			}
		}
		this.pending.failAll("The channel to the master closed");
		masterGone();
	}

	private void handle(Message message) {
		if (message instanceof Message.Disconnect disconnect) {
			leave(disconnect.reason());
		}
		else if (message instanceof Message.Reply reply) {
			this.pending.complete(reply);
		}
		else if (message instanceof Message.Request request) {
			this.requestExecutor.execute(() -> answer(request));
		}
		else {
			logger.debug("Ignored " + message.getClass().getSimpleName() + " from the master");
		}
	}

	private void answer(Message.Request request) {
		Function<JsonNode, JsonNode> handler = this.requestHandlers.get(request.action());
		Message.Reply reply;
		if (handler == null) {
			reply = new Message.Reply(request.id(), "Worker " + this.id + " has no handler for " + request.action(),
					null);
		}
		else {
			try {
				reply = new Message.Reply(request.id(), null, handler.apply(request.body()));
			}
			catch (RuntimeException ex) {
				logger.warn("Could not answer the master's " + request.action() + " request", ex);
				reply = new Message.Reply(request.id(), String.valueOf(ex.getMessage()), null);
			}
		}
		this.connection.trySend(reply);
	}

	private void beat() {
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
		while (!this.leaving) {
			MemoryUsage heap = memory.getHeapMemoryUsage();
			double cpu = (os instanceof com.sun.management.OperatingSystemMXBean sunOs) ? sunOs.getProcessCpuLoad()
					: -1;
			if (!this.connection.trySend(
					new Message.Heartbeat(heap.getUsed(), heap.getMax(), cpu, this.requestsServed.sum()))) {
				return;
			}
			sleep(HEARTBEAT_INTERVAL);
		}
	}

	private void leave(String reason) {
		if (this.leaving) {
			return;
		}
		this.leaving = true;
		logger.info("Leaving the cluster: " + reason);
		Thread leaver = new Thread(() -> {
			int code = 0;
			try {
				ConfigurableApplicationContext context = this.context;
				if (context != null && context.isActive()) {
					context.publishEvent(new DisconnectRequestedEvent(context, reason));
					code = SpringApplication.exit(context);
				}
			}
			catch (Throwable ex) {
				logger.error("Failed to close the application while leaving the cluster", ex);
				code = 1;
			}
			finally {
				this.leftCleanly = true;
				this.connection.close();
				System.exit(code);
			}
		}, "cluster-leave");
		leaver.start();
	}

	private void masterGone() {
		if (this.leftCleanly || this.orphaned) {
			return;
		}
		this.orphaned = true;
		// Whatever this worker was doing, leaving included, it ends within the grace period
		Thread halter = new Thread(() -> {
			sleep(ORPHAN_GRACE);
			Runtime.getRuntime().halt(1);
		}, "cluster-orphan-halt");
		halter.setDaemon(true);
		halter.start();
		if (this.leaving) {
			return;
		}
		this.leaving = true;
		logger.error("The master (pid " + this.masterPid + ") is gone: worker " + this.id + " exits");
		// The master could not remove its channel's directory; whoever notices first does
		this.address.delete();
		new Thread(() -> System.exit(1), "cluster-orphan-exit").start();
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
