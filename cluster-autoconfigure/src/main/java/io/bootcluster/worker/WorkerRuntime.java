package io.bootcluster.worker;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

import io.bootcluster.DisconnectRequestedEvent;
import io.bootcluster.ipc.Action;
import io.bootcluster.ipc.ChannelAddress;
import io.bootcluster.ipc.ChannelClient;
import io.bootcluster.ipc.Connection;
import io.bootcluster.ipc.DaemonThreads;
import io.bootcluster.ipc.FrameCodec;
import io.bootcluster.ipc.Message;
import io.bootcluster.ipc.PendingRequests;
import io.bootcluster.messaging.ChannelMessenger;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import sun.misc.Signal;
import sun.misc.SignalHandler;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A worker's link to its master. Joins the master's channel as the worker's JVM starts,
 * while the application starts beside it, then:
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

	/** How often a worker that asked to be replaced asks again. */
	private static final Duration REPLACEMENT_RETRY = Duration.ofSeconds(15);

	/** How long an orphaned worker may spend closing before it halts. */
	private static final Duration ORPHAN_GRACE = Duration.ofSeconds(3);


	private final int id;

	private final ChannelAddress address;

	private final WorkerOptions options;

	private final WorkerHealth health;

	// Set once, by the first failure or limit that asks: later ones find it set
	private final AtomicReference<@Nullable String> replacementReason = new AtomicReference<>();

	private volatile long replacementAskedAt;

	private final Membership membership = new Membership();

	private final boolean standby;

	private volatile boolean activated;

	private volatile @Nullable Runnable activation;

	private volatile @Nullable ChannelMessenger messenger;

	// Completed once the master welcomed this worker; a worker that cannot join exits
	private final CompletableFuture<Connection> connection = new CompletableFuture<>();

	private volatile long masterPid;

	private volatile @Nullable ConfigurableApplicationContext context;

	// Decided once: leaving when the master asks, or when it is gone
	private final AtomicBoolean leaving = new AtomicBoolean();

	private volatile boolean leftCleanly;

	private final AtomicBoolean orphaned = new AtomicBoolean();

	private final PendingRequests pending = new PendingRequests();

	private final Map<String, Function<JsonNode, JsonNode>> requestHandlers = new ConcurrentHashMap<>();

	private final LongAdder requestsServed = new LongAdder();

	private final ExecutorService requestExecutor = Executors
		.newSingleThreadExecutor(DaemonThreads.factory("cluster-requests"));

	WorkerRuntime(int id, ChannelAddress address, WorkerOptions options, boolean standby) {
		this.id = id;
		this.standby = standby;
		this.address = address;
		this.options = options;
		// Jitter, so that workers started together do not all recycle together
		long jitter = (options.maxRequests() > 0) ? ThreadLocalRandom.current().nextLong(options.maxRequests() / 10 + 1)
				: 0;
		this.health = new WorkerHealth(options, options.maxRequests() + jitter);
	}

	/**
	 * Joins the master that started this JVM. The handshake runs on the channel's own
	 * thread while the application starts: a master busy forking other workers then holds
	 * no worker's startup up. Messages sent before it completes wait for it; a worker the
	 * master does not welcome exits.
	 * @param environment the process environment
	 * @param maxFrameSize the largest frame the channel accepts, in bytes
	 * @return the runtime, or {@code null} when this JVM is not a worker
	 * @throws IOException if this JVM was started as a worker without a channel to join
	 */
	public static @Nullable WorkerRuntime join(Map<String, String> environment, int maxFrameSize,
			WorkerOptions options) throws IOException {
		String id = environment.get(ChannelAddress.WORKER_ID_ENV);
		if (id == null) {
			return null;
		}
		ChannelAddress address = ChannelAddress.fromEnvironment(environment);
		if (address == null) {
			throw new IOException(ChannelAddress.WORKER_ID_ENV + " is set but " + ChannelAddress.SOCKET_ENV
					+ " is not: workers are started by their master, not by hand");
		}
		WorkerRuntime runtime = new WorkerRuntime(Integer.parseInt(id), address, options,
				Boolean.parseBoolean(environment.get(ChannelAddress.STANDBY_ENV)));
		runtime.start(new FrameCodec(maxFrameSize));
		return runtime;
	}

	private void start(FrameCodec codec) {
		DaemonThreads.start("cluster-ipc-master", () -> {
			if (joinMaster(codec)) {
				receive();
			}
		});
		if (this.options.onUncaughtException() != UncaughtExceptionPolicy.IGNORE) {
			Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
			Thread.setDefaultUncaughtExceptionHandler((thread, failure) -> {
				if (previous != null) {
					previous.uncaughtException(thread, failure);
				}
				else {
					logger.error("Thread \"" + thread.getName() + "\" died of an uncaught exception", failure);
				}
				failed("thread \"" + thread.getName() + "\" died of " + failure);
			});
		}
	}

	// On the channel's thread, while the application starts on the main thread: a worker
	// that cannot join must not serve, whatever the failure, and has nothing to close yet
	private boolean joinMaster(FrameCodec codec) {
		try {
			// Built before connecting: the master gives a connection only so long to say hello
			FrameCodec.mapper();
			ChannelClient.Session session = ChannelClient.connect(this.address, codec, this.id, JOIN_TIMEOUT);
			this.masterPid = session.masterPid();
			connected(session.connection());
			DaemonThreads.start("cluster-heartbeat", this::beat);
			ProcessHandle.of(this.masterPid)
				.ifPresentOrElse((master) -> master.onExit().thenRun(this::masterGone), this::masterGone);
			return true;
		}
		catch (Throwable ex) {
			this.connection.completeExceptionally(ex);
			if (ex instanceof IOException) {
				logger.error("Worker " + this.id + " exits: " + ex.getMessage());
			}
			else {
				logger.error("Worker " + this.id + " exits: it could not join its master", ex);
			}
			JvmEnd.halt(JvmEnd.NOT_JOINED);
			return false;
		}
	}

	// The master welcomed this worker: what waited to be sent goes now
	void connected(Connection connection) {
		this.connection.complete(connection);
	}

	// Waits for the handshake, which ends within the join timeout: welcomed, or the JVM halts
	private @Nullable Connection connection() {
		try {
			return this.connection.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return null;
		}
		catch (ExecutionException ex) {
			return null;
		}
	}

	private boolean trySend(Message message) {
		Connection connection = connection();
		return connection != null && connection.trySend(message);
	}

	/**
	 * Makes a worker's JVM ignore SIGINT and SIGHUP. Ctrl-C, or a closed terminal, reaches
	 * every process in the terminal's group: the master stops or restarts the workers in
	 * order, so a worker waits for the master's word instead of dying on the spot.
	 */
	public static void ignoreInterrupts() {
		for (String name : List.of("INT", "HUP")) {
			try {
				Signal.handle(new Signal(name), SignalHandler.SIG_IGN);
			}
			catch (IllegalArgumentException ex) {
				// No such signal here
			}
		}
	}

	/**
	 * Whether this worker was started as a standby, to serve only once activated.
	 * @return whether it is a standby
	 */
	public boolean isStandby() {
		return this.standby;
	}

	/**
	 * What to do when the master activates this standby worker.
	 * @param activation the action
	 */
	public void onActivation(Runnable activation) {
		this.activation = activation;
		if (this.activated) {
			activation.run();
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
		Connection connection = connection();
		if (connection == null) {
			throw new IOException("Worker " + this.id + " could not join its master");
		}
		connection.send(message);
	}

	/**
	 * Sends the master a message, if the channel is still open.
	 * @param message the message
	 * @return whether it went out
	 */
	public boolean tell(Message message) {
		return trySend(message);
	}

	/**
	 * Asks the master to do something.
	 * @param action what to do
	 * @param body the action's input
	 * @param timeout how long to wait for the answer
	 * @return the master's answer; fails with a
	 * {@link PendingRequests.RequestRejectedException} when the master refuses the request
	 */
	public CompletableFuture<JsonNode> request(Action action, JsonNode body, Duration timeout) {
		PendingRequests.Pending request = this.pending.create(action.wireName(), body, timeout);
		if (!trySend(request.request())) {
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
	public void onRequest(Action action, Function<JsonNode, JsonNode> handler) {
		this.requestHandlers.put(action.wireName(), handler);
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
			this.connection.join().receiveEach(this::handle);
		}
		catch (IOException ex) {
			if (!this.leaving.get()) {
				logger.error("The channel to the master failed: " + ex.getMessage());
			}
		}
		this.pending.failAll("The channel to the master closed");
		ChannelMessenger messenger = this.messenger;
		if (messenger != null) {
			messenger.closed("The channel to the master closed");
		}
		masterGone();
	}

	private void handle(Message message) {
		if (message instanceof Message.Disconnect disconnect) {
			if (this.standby && !this.activated) {
				// Its application is still starting, held at the gate: nothing to close
				// gracefully, and the context cannot be closed while it refreshes
				logger.info("Standby worker " + this.id + " leaves: " + disconnect.reason());
				JvmEnd.halt(JvmEnd.STANDBY_LEFT);
			}
			leave(disconnect.reason());
		}
		else if (message instanceof Message.Activate) {
			this.activated = true;
			Runnable activation = this.activation;
			if (activation != null) {
				activation.run();
			}
		}
		else if (message instanceof Message.Reply reply) {
			this.pending.complete(reply);
		}
		else if (message instanceof Message.Request request) {
			this.requestExecutor.execute(() -> answer(request));
		}
		else if (message instanceof Message.Members members) {
			this.membership.announced(members.workers());
		}
		else if (message instanceof Message.UserMessage userMessage) {
			ChannelMessenger messenger = this.messenger;
			if (messenger != null) {
				messenger.deliver(userMessage);
			}
			else {
				notReady(userMessage);
			}
		}
		else if (message instanceof Message.UserReply reply) {
			ChannelMessenger messenger = this.messenger;
			if (messenger != null) {
				messenger.deliver(reply);
			}
		}
		else {
			logger.debug("Ignored " + message.getClass().getSimpleName() + " from the master");
		}
	}

	// Before its context has a messenger, a worker cannot take application messages
	private void notReady(Message.UserMessage message) {
		String reason = "worker " + this.id + " is still starting";
		logger.warn("Dropped '" + message.topic() + "' from " + ChannelMessenger.describe(message.from()) + ": " + reason);
		if (message.requestId() > 0) {
			tell(new Message.UserReply(message.requestId(), message.from(), reason, null));
		}
	}

	/**
	 * Connects the application's messenger to the channel.
	 * @param messenger the messenger
	 */
	public void attach(ChannelMessenger messenger) {
		this.membership.subscribe(messenger::members);
		this.messenger = messenger;
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
		trySend(reply);
	}

	// A dedicated thread: however busy or stuck the application's threads are, the
	// master hears from this worker, or learns that the JVM itself is stuck
	private void beat() {
		while (!this.leaving.get()) {
			String deadlock = this.health.deadlock();
			if (deadlock != null) {
				logger.error("Threads " + deadlock + " are deadlocked: worker " + this.id
						+ " stops its heartbeats so that the master replaces it");
				return;
			}
			long requests = this.requestsServed.sum();
			if (!trySend(this.health.heartbeat(requests))) {
				return;
			}
			String recycle = this.health.recycleReason(requests);
			if (recycle != null) {
				requestReplacement(recycle);
			}
			askAgainForReplacement();
			sleep(this.options.heartbeatInterval());
		}
	}

	/**
	 * Reports a failure this worker should not keep serving with: an uncaught exception, or
	 * a {@link VirtualMachineError} while serving a request. What follows depends on
	 * {@code cluster.worker.on-uncaught-exception}.
	 * @param failure what happened
	 */
	public void failed(String failure) {
		switch (this.options.onUncaughtException()) {
			case REPLACE -> requestReplacement(failure);
			case EXIT -> {
				logger.error("Worker " + this.id + " exits: " + failure);
				JvmEnd.exit(JvmEnd.FAILED);
			}
			case IGNORE -> {
				// Logged where it happened
			}
		}
	}

	private void requestReplacement(String reason) {
		if (this.leaving.get() || !this.replacementReason.compareAndSet(null, reason)) {
			return;
		}
		this.replacementAskedAt = System.nanoTime();
		logger.warn("Worker " + this.id + " asks to be replaced: " + reason);
		trySend(new Message.ReplaceMe(reason));
	}

	// Until it is replaced, a worker asks again now and then: its first successor may have
	// failed, or it may have asked before it had started
	private void askAgainForReplacement() {
		String reason = this.replacementReason.get();
		if (reason != null && System.nanoTime() - this.replacementAskedAt > REPLACEMENT_RETRY.toNanos()) {
			this.replacementAskedAt = System.nanoTime();
			trySend(new Message.ReplaceMe(reason));
		}
	}

	private void leave(String reason) {
		if (!this.leaving.compareAndSet(false, true)) {
			return;
		}
		logger.info("Leaving the cluster: " + reason);
		Thread leaver = new Thread(() -> {
			int code = JvmEnd.LEFT;
			try {
				ChannelMessenger messenger = this.messenger;
				if (messenger != null) {
					messenger.refuseFurther("worker " + this.id + " is leaving the cluster");
				}
				ConfigurableApplicationContext context = this.context;
				if (context != null && context.isActive()) {
					AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
					context.publishEvent(new DisconnectRequestedEvent(context, reason));
					code = SpringApplication.exit(context);
				}
			}
			catch (Throwable ex) {
				logger.error("Failed to close the application while leaving the cluster", ex);
				code = JvmEnd.CLOSE_FAILED;
			}
			finally {
				this.leftCleanly = true;
				Connection connection = this.connection.getNow(null);
				if (connection != null) {
					connection.close();
				}
				JvmEnd.exit(code);
			}
		}, "cluster-leave");
		leaver.start();
	}

	private void masterGone() {
		if (this.leftCleanly || !this.orphaned.compareAndSet(false, true)) {
			return;
		}
		// Whatever this worker was doing, leaving included, it ends within the grace period
		JvmEnd.haltAfter(ORPHAN_GRACE, JvmEnd.ORPHANED);
		if (!this.leaving.compareAndSet(false, true)) {
			return;
		}
		if (ProcessHandle.of(this.masterPid).map(ProcessHandle::isAlive).orElse(false)) {
			// The master closed the channel (a frame it refused, say) and lives on: its
			// directory is its own, and it replaces this worker
			logger.error("The channel to the master (pid " + this.masterPid + ") closed: worker " + this.id
					+ " exits, and the master replaces it");
		}
		else {
			logger.error("The master (pid " + this.masterPid + ") is gone: worker " + this.id + " exits");
			// The master could not remove its channel's directory; whoever notices first does
			this.address.delete();
		}
		JvmEnd.exit(JvmEnd.ORPHANED);
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
