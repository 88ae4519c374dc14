package io.bootcluster.master;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.bootcluster.Cluster;
import io.bootcluster.ClusterStatus;
import io.bootcluster.ClusterWorkerEvent;
import io.bootcluster.WorkerDisconnectEvent;
import io.bootcluster.WorkerExit;
import io.bootcluster.WorkerExitEvent;
import io.bootcluster.WorkerForkEvent;
import io.bootcluster.WorkerListeningEvent;
import io.bootcluster.WorkerOnlineEvent;
import io.bootcluster.WorkerSnapshot;
import io.bootcluster.WorkerState;
import io.bootcluster.ipc.ChannelServer;
import io.bootcluster.ipc.Connection;
import io.bootcluster.ipc.DaemonThreads;
import io.bootcluster.ipc.FrameCodec;
import io.bootcluster.ipc.Message;
import io.bootcluster.master.WorkerProcess.Retirement;
import io.bootcluster.messaging.ChannelMessenger;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEvent;

/**
 * Keeps the desired number of workers running. Each {@link Slot} holds one worker; a
 * worker that dies unexpectedly is replaced in its slot after the {@link RestartPolicy}'s
 * backoff.
 * <p>
 * Everything that changes the cluster's state runs on one thread, the supervisor's: the
 * channel's readers, the processes' exit callbacks, the timers and the operators' commands
 * hand their work to it. That keeps every worker's events in order without a lock.
 */
final class Supervisor implements ChannelServer.Handler, Cluster {

	private static final Log logger = LogFactory.getLog(Supervisor.class);

	private static final Duration LOOP_ANSWER_TIMEOUT = Duration.ofSeconds(5);

	private static final Duration HEARTBEAT_CHECK_INTERVAL = Duration.ofSeconds(1);

	private final ScheduledExecutorService loop = Executors
		.newSingleThreadScheduledExecutor(DaemonThreads.factory("cluster-supervisor"));

	private final WorkerLauncher launcher;

	private final List<ClusterStatus.PerWorkerState> perWorkerState;

	private final ClusterMaster.MasterSettings settings;

	private final int port;

	private final boolean requireReusePort;

	private final FrameCodec codec;

	private final Consumer<ApplicationEvent> publisher;

	private final Map<Integer, WorkerProcess> workers = new LinkedHashMap<>();

	private final Map<Connection, WorkerProcess> byConnection = new IdentityHashMap<>();

	private final MessageRouter router;

	private final List<Slot> slots = new ArrayList<>();

	// Where standby workers wait; its crash count keeps a broken build from forking
	// standbys without end
	private final Slot standbySlot = new Slot(-1);

	// Completed once every worker the cluster wants has served (true), or when the cluster
	// ends first (false)
	private final CompletableFuture<Boolean> allServed = new CompletableFuture<>();

	private final LaunchPacing pacing = new LaunchPacing(Runtime.getRuntime().availableProcessors());

	private final ClusterHistory history = new ClusterHistory();

	private final MasterRequests requests;

	private final CompletableFuture<Integer> terminated = new CompletableFuture<>();

	private volatile List<WorkerSnapshot> view = List.of();

	private @Nullable RollingRestart rollingRestart;

	private ClusterStatus.@Nullable Restart lastRestart;

	private int lastId;

	private long lastHeartbeatCheck;

	// Changed on the loop by scale(), read from any thread: the slots themselves are the
	// loop's alone
	private volatile int desiredWorkers;

	private long restarts;

	private boolean stopping;

	Supervisor(ClusterMaster.MasterSettings settings, int desiredWorkers, int port, boolean requireReusePort,
			FrameCodec codec, WorkerLauncher launcher, Consumer<ApplicationEvent> publisher,
			List<ClusterStatus.PerWorkerState> perWorkerState) {
		this.settings = settings;
		this.perWorkerState = List.copyOf(perWorkerState);
		this.port = port;
		this.requireReusePort = requireReusePort;
		this.codec = codec;
		this.launcher = launcher;
		this.publisher = publisher;
		this.requests = new MasterRequests(this);
		this.router = new MessageRouter(publisher);
		this.desiredWorkers = desiredWorkers;
		for (int i = 0; i < desiredWorkers; i++) {
			this.slots.add(new Slot(i));
		}
	}

	/**
	 * How workers are paced when they start.
	 * @return the pacing
	 */
	LaunchPacing pacing() {
		return this.pacing;
	}

	void start() {
		execute(() -> {
			this.pacing.queue(this.slots);
			startUnstarted();
		});
		this.lastHeartbeatCheck = System.nanoTime();
		this.loop.scheduleWithFixedDelay(guarded(this::checkHeartbeats), HEARTBEAT_CHECK_INTERVAL.toMillis(),
				HEARTBEAT_CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
	}

	/**
	 * Restarts every worker, one at a time, when the master gets SIGHUP.
	 */
	void restartOnSignal() {
		execute(() -> {
			try {
				restart();
			}
			catch (IllegalArgumentException ex) {
				logger.warn("Ignored SIGHUP: " + ex.getMessage());
			}
		});
	}

	/**
	 * Stops the cluster: asks every worker to disconnect, kills those still there after
	 * the shutdown timeout. A second call kills them at once.
	 */
	void stop() {
		execute(this::beginShutdown);
	}

	/**
	 * Waits until the cluster has stopped.
	 * @return the master's exit code: 0 after a requested stop, 1 when every slot stopped
	 * respawning
	 */
	int awaitTermination() {
		int code = this.terminated.join();
		this.loop.shutdownNow();
		return code;
	}

	/**
	 * The master's messenger.
	 * @return the messenger
	 */
	ChannelMessenger messenger() {
		return this.router.messenger();
	}

	MasterRequests requests() {
		return this.requests;
	}

	@Override
	public int desiredWorkers() {
		return this.desiredWorkers;
	}

	@Override
	public List<WorkerSnapshot> workers() {
		return this.view;
	}

	/**
	 * Waits until every worker the cluster wants has started: listening and ready.
	 * @param timeout the longest wait
	 * @return whether they have
	 */
	boolean awaitAllServed(Duration timeout) {
		try {
			return this.allServed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		catch (ExecutionException | TimeoutException ex) {
			return false;
		}
	}

	/**
	 * Runs a task on the supervisor's thread and waits for its result.
	 * @param <T> the result type
	 * @param task the task
	 * @return its result
	 * @throws IllegalArgumentException if the task rejected its input
	 */
	<T> T call(Callable<T> task) {
		Future<T> result = this.loop.submit(task);
		try {
			return result.get(LOOP_ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new IllegalStateException(ex.getCause());
		}
		catch (TimeoutException ex) {
			// Whoever asked has given up: the task must not run late, on a state it no longer
			// matches
			result.cancel(false);
			throw new IllegalStateException("The supervisor did not answer within " + LOOP_ANSWER_TIMEOUT.toSeconds()
					+ "s", ex);
		}
	}

	// ---- Operations, on the supervisor's thread

	ClusterStatus status() {
		Instant now = Instant.now();
		List<ClusterStatus.Worker> workers = new ArrayList<>();
		for (WorkerProcess worker : this.workers.values()) {
			workers.add(new ClusterStatus.Worker(worker.id, worker.process.pid(),
					worker.state.name().toLowerCase(), ClusterHistory.timestamp(worker.startedAt),
					Duration.ofSeconds(worker.uptime().toSeconds()).toString(), worker.restarts,
					worker.exitedAfterDisconnect, worker.slot.lastExit, worker.heapUsed, worker.heapMax, worker.cpu,
					worker.requests, worker.standby));
		}
		return new ClusterStatus(ProcessHandle.current().pid(), desiredWorkers(), this.restarts, workers,
				this.history.events(), this.history.exits(), this.history.startup(),
				Map.of("in", this.codec.framesRead(), "out", this.codec.framesWritten()), this.lastRestart,
				this.perWorkerState);
	}

	/**
	 * Replaces every worker, one at a time, each replacement listening before its
	 * predecessor is asked to go.
	 * @return the ids of the workers to replace, in order
	 */
	List<Integer> restart() {
		requireSteady("restart");
		List<Integer> ids = this.workers.values()
			.stream()
			.filter((worker) -> !worker.isRetiring() && !worker.standby && worker.state != WorkerState.DEAD)
			.map((worker) -> worker.id)
			.toList();
		logger.info("Rolling restart of workers " + ids);
		// Standbys run what the workers ran: fresh ones take their place
		List<WorkerProcess> standbys = this.workers.values().stream().filter((worker) -> worker.standby).toList();
		standbys.forEach((standby) -> retire(standby, Retirement.REMOVE, "rolling restart"));
		standbys.forEach((standby) -> forkStandby());
		RollingRestart restart = new RollingRestart(ids);
		this.rollingRestart = restart;
		this.lastRestart = restart.status();
		nextRestartStep();
		return ids;
	}

	/**
	 * Grows or shrinks the cluster. New slots get a worker at once; removed slots' workers
	 * are asked to go, newest first.
	 * @param desired the new number of workers
	 * @return the number of workers before
	 */
	int scale(int desired) {
		if (desired < 1) {
			throw new IllegalArgumentException("workers must be at least 1, was " + desired);
		}
		requireSteady("scale");
		int before = desiredWorkers();
		logger.info("Scaling from " + before + " to " + desired + " workers");
		for (int i = before; i < desired; i++) {
			Slot slot = new Slot(this.slots.size());
			this.slots.add(slot);
			this.pacing.queue(List.of(slot));
		}
		startUnstarted();
		// Slots that gave up go first, then the newest
		List<Slot> active = new ArrayList<>(this.slots.stream().filter((slot) -> !slot.removed).toList());
		active.sort(Comparator.comparing((Slot slot) -> !slot.givenUp)
			.thenComparing((slot) -> slot.index, Comparator.reverseOrder()));
		for (Slot slot : active.subList(0, Math.max(0, active.size() - desired))) {
			slot.removed = true;
			workersIn(slot).forEach((worker) -> retire(worker, Retirement.REMOVE, "the cluster is scaling down"));
		}
		this.desiredWorkers = desired;
		return before;
	}

	/**
	 * Asks one worker to go; a new worker takes its slot once it is gone.
	 * @param id the worker's id
	 */
	void stopWorker(int id) {
		requireSteady("stop a worker");
		WorkerProcess worker = this.workers.get(id);
		if (worker == null || worker.isRetiring()) {
			throw new IllegalArgumentException("No running worker has id " + id + "; running: " + runningIds());
		}
		retire(worker, Retirement.REPLACE, "an operator stopped it");
	}

	private void requireSteady(String action) {
		if (this.stopping) {
			throw new IllegalArgumentException("Cannot " + action + ": the cluster is stopping");
		}
		if (this.rollingRestart != null) {
			throw new IllegalArgumentException("Cannot " + action + ": a rolling restart is running");
		}
	}

	private List<Integer> runningIds() {
		return this.workers.values().stream().filter((worker) -> !worker.isRetiring()).map((w) -> w.id).toList();
	}

	private List<WorkerProcess> workersIn(Slot slot) {
		return this.workers.values().stream().filter((worker) -> worker.slot == slot).toList();
	}

	// ---- Lifecycle

	private @Nullable WorkerProcess fork(Slot slot) {
		return fork(slot, false);
	}

	private void forkStandby() {
		fork(this.standbySlot, true);
	}

	private @Nullable WorkerProcess fork(Slot slot, boolean standby) {
		if (this.stopping || slot.removed || slot.givenUp) {
			return null;
		}
		int id = ++this.lastId;
		WorkerProcess worker;
		try {
			worker = new WorkerProcess(id, slot, this.launcher.launch(id, standby), this.launcher.output());
			worker.standby = standby;
		}
		catch (IOException ex) {
			logger.error("Could not start worker " + id + ": " + ex.getMessage(), ex);
			crashed(slot, Duration.ZERO);
			return null;
		}
		this.workers.put(id, worker);
		publish(new WorkerForkEvent(this, worker.snapshot()));
		watchStartup(worker);
		// Off the JDK's process reaper thread: draining the output may take a moment
		worker.process.onExit().thenRunAsync(() -> {
			worker.drainOutput();
			execute(() -> exited(worker));
		}, (task) -> new Thread(task, "cluster-exit-" + id).start());
		return worker;
	}

	@Override
	public boolean accept(Connection connection, Message.Hello hello) {
		return call(() -> {
			WorkerProcess worker = this.workers.get(hello.workerId());
			if (worker == null || worker.process.pid() != hello.pid() || worker.state != WorkerState.FORKED) {
				logger.warn("Refused a channel connection from pid " + hello.pid() + " claiming to be worker "
						+ hello.workerId() + ": no such worker is waiting to join");
				return false;
			}
			if (!connection.trySend(new Message.Welcome(ProcessHandle.current().pid()))) {
				return false;
			}
			worker.connection = connection;
			worker.lastHeartbeat = System.nanoTime();
			this.byConnection.put(connection, worker);
			worker.state = WorkerState.ONLINE;
			this.router.join(worker.id, connection);
			publish(new WorkerOnlineEvent(this, worker.snapshot()));
			if (worker.disconnectRequested) {
				connection.trySend(new Message.Disconnect("the master is stopping"));
			}
			return true;
		});
	}

	@Override
	public void received(Connection connection, Message message) {
		// Application messages are relayed at once, on the sender's reader thread: the
		// supervisor's thread never waits on a worker's socket
		if (this.router.relay(connection, message)) {
			return;
		}
		execute(() -> {
			WorkerProcess worker = this.byConnection.get(connection);
			if (worker == null) {
				return;
			}
			if (message instanceof Message.Heartbeat heartbeat) {
				worker.lastHeartbeat = System.nanoTime();
				worker.heapUsed = heartbeat.heapUsed();
				worker.heapMax = heartbeat.heapMax();
				worker.cpu = heartbeat.cpu();
				worker.requests = heartbeat.requests();
			}
			else if (message instanceof Message.Listening listening) {
				listening(worker, listening);
			}
			else if (message instanceof Message.Ready ready) {
				readiness(worker, ready.accepting());
			}
			else if (message instanceof Message.StandbyReady) {
				worker.standbyReady = true;
				if (worker.startupDeadline != null) {
					worker.startupDeadline.cancel(false);
				}
				logger.info("Standby worker " + worker.id + " (pid " + worker.process.pid() + ") is ready to take over");
			}
			else if (message instanceof Message.ReplaceMe replaceMe) {
				if (replace(worker, replaceMe.reason()) == null) {
					logger.warn(worker + " asked to be replaced (" + replaceMe.reason() + "), which cannot be done now");
				}
			}
			else if (message instanceof Message.Request request) {
				this.requests.handle(connection, request);
			}
			else if (message instanceof Message.Reply reply) {
				this.requests.complete(connection, reply);
			}
			else {
				logger.warn("Ignored an unexpected " + message.getClass().getSimpleName() + " from " + worker);
			}
		});
	}

	@Override
	public void closed(Connection connection) {
		execute(() -> {
			WorkerProcess worker = this.byConnection.remove(connection);
			if (worker != null && worker.isConnected()) {
				disconnected(worker);
			}
		});
	}

	/**
	 * The workers that listen, to which requests can be sent.
	 * @return their connections, by worker id
	 */
	Map<Integer, Connection> listeningConnections() {
		Map<Integer, Connection> connections = new LinkedHashMap<>();
		this.workers.values()
			.stream()
			.filter((worker) -> worker.state == WorkerState.LISTENING && worker.connection != null)
			.forEach((worker) -> connections.put(worker.id, worker.connection));
		return connections;
	}

	private void listening(WorkerProcess worker, Message.Listening listening) {
		String problem = (this.requireReusePort && !listening.reusePort()) ? "without SO_REUSEPORT"
				: (this.port > 0 && listening.port() != this.port) ? "instead of the shared port " + this.port : null;
		if (problem != null) {
			logger.error("Killing " + worker + ": it bound " + listening.host() + ":" + listening.port() + " " + problem
					+ ", so it cannot share the port with the other workers");
			worker.kill("killed");
			return;
		}
		worker.state = WorkerState.LISTENING;
		worker.listened = true;
		this.history.recordStartup(worker.uptime());
		logger.info("Worker " + worker.id + " (pid " + worker.process.pid() + ") is listening on " + listening.host()
				+ ":" + listening.port());
		publish(new WorkerListeningEvent(this, worker.snapshot(),
				InetSocketAddress.createUnresolved(listening.host(), listening.port())));
		checkServing(worker);
	}

	private void readiness(WorkerProcess worker, boolean accepting) {
		worker.ready = accepting;
		checkServing(worker);
	}

	// Listening and ready: the worker has started, and may take over from a predecessor
	private void checkServing(WorkerProcess worker) {
		if (!worker.listened || !worker.ready || worker.served) {
			return;
		}
		worker.served = true;
		if (worker.startupDeadline != null) {
			worker.startupDeadline.cancel(false);
		}
		startUnstarted();
		onceAllServe();
		forkOwedStandby(worker);
		WorkerProcess predecessor = worker.predecessor;
		if (predecessor != null) {
			worker.predecessor = null;
			predecessor.successor = null;
			if (predecessor.state != WorkerState.DEAD) {
				retire(predecessor, Retirement.REPLACED, "worker " + worker.id + " replaced it");
			}
		}
		RollingRestart restart = this.rollingRestart;
		if (restart != null && restart.stepDoneWhenServing(worker)) {
			nextRestartStep();
		}
	}

	/**
	 * Starts a successor in a worker's slot; the worker is retired once its successor is
	 * listening and ready.
	 * @param worker the worker to replace
	 * @param reason why, for the log
	 * @return the successor, or {@code null} when none was started
	 */
	private @Nullable WorkerProcess replace(WorkerProcess worker, String reason) {
		// A worker that has not started yet (a replacement itself, maybe) is not replaced:
		// the startup timeout deals with it
		if (this.stopping || worker.isRetiring() || worker.successor != null || !worker.served
				|| worker.state == WorkerState.DEAD) {
			return null;
		}
		WorkerProcess successor = fork(worker.slot);
		if (successor != null) {
			logger.info("Replacing " + worker + " with worker " + successor.id + ": " + reason);
			worker.successor = successor;
			successor.predecessor = worker;
		}
		return successor;
	}

	private void checkHeartbeats() {
		long now = System.nanoTime();
		long sinceLastCheck = now - this.lastHeartbeatCheck;
		this.lastHeartbeatCheck = now;
		if (sinceLastCheck > HEARTBEAT_CHECK_INTERVAL.multipliedBy(3).toNanos()) {
			// The master itself was stopped (Ctrl-Z, docker pause, SIGSTOP) or starved: the
			// heartbeats that arrived meanwhile wait behind this check, so no worker is
			// judged before it has had a whole timeout to be heard again
			logger.info("The master did not run for " + Duration.ofNanos(sinceLastCheck).toSeconds()
					+ "s: every worker gets a whole heartbeat timeout to be heard again");
			this.workers.values().forEach((worker) -> worker.lastHeartbeat = now);
			return;
		}
		for (WorkerProcess worker : this.workers.values()) {
			if (worker.connection != null && this.router.waitsForListeners(worker.connection)) {
				worker.lastHeartbeat = now;
			}
			if (worker.isConnected() && !worker.isRetiring() && worker.killedBecause == null
					&& now - worker.lastHeartbeat > this.settings.heartbeatTimeout().toNanos()) {
				hung(worker);
			}
		}
	}

	private void hung(WorkerProcess worker) {
		logger.error(worker + " sent no heartbeat for " + this.settings.heartbeatTimeout().toSeconds()
				+ "s (cluster.worker.heartbeat-timeout): it counts as hung. Its thread dump follows; then it is killed"
				+ " and replaced.");
		worker.killedBecause = "killed";
		ThreadDumps.request(worker.process);
		schedule(() -> worker.kill("killed"), ThreadDumps.TIME_TO_PRINT);
	}

	private void disconnected(WorkerProcess worker) {
		this.router.leave(worker.id, worker.connection);
		worker.state = WorkerState.DISCONNECTED;
		worker.exitedAfterDisconnect = worker.disconnectRequested;
		publish(new WorkerDisconnectEvent(this, worker.snapshot()));
	}

	private void exited(WorkerProcess worker) {
		if (worker.isConnected()) {
			// The process ended before its channel's end of stream reached us
			this.byConnection.remove(worker.connection);
			disconnected(worker);
		}
		if (worker.startupDeadline != null) {
			worker.startupDeadline.cancel(false);
		}
		worker.state = WorkerState.DEAD;
		WorkerExit exit = WorkerExit.of(worker.process.exitValue());
		worker.exit = exit;
		if (worker.exitedAfterDisconnect == null) {
			worker.exitedAfterDisconnect = worker.disconnectRequested;
		}
		this.workers.remove(worker.id);
		this.history.recordExit(exitReason(worker, exit), worker.disconnectRequested);
		worker.slot.lastExit = new ClusterStatus.Exit(worker.id, exit.code(), exit.signal(),
				ClusterHistory.timestamp(Instant.now()));
		publish(new WorkerExitEvent(this, worker.snapshot()));
		if (worker.disconnectRequested) {
			logger.info("Worker " + worker.id + " exited with " + exit);
		}
		else {
			logger.warn("Worker " + worker.id + " (pid " + worker.process.pid() + ") died unexpectedly with " + exit
					+ " after " + worker.uptime().toMillis() + " ms");
		}
		afterExit(worker);
	}

	private void afterExit(WorkerProcess worker) {
		if (this.stopping) {
			if (this.workers.isEmpty()) {
				finish(0);
			}
			return;
		}
		startUnstarted();
		forkOwedStandby(worker);
		RollingRestart restart = this.rollingRestart;
		if (restart != null && restart.isSuccessor(worker) && !worker.served) {
			abortRestart(restart, worker);
		}
		WorkerProcess predecessor = worker.predecessor;
		if (predecessor != null) {
			// A replacement that never became ready: its predecessor serves on
			predecessor.successor = null;
			logger.error("Replacement " + worker + " ended with " + worker.exit + " before it was ready; " + predecessor
					+ " keeps serving");
			return;
		}
		WorkerProcess successor = worker.successor;
		if (successor != null) {
			// Died while its successor starts: the successor takes the slot
			successor.predecessor = null;
			if (worker.retirement == Retirement.NONE) {
				this.restarts++;
				worker.slot.restarts++;
			}
			return;
		}
		restart = this.rollingRestart;
		if (restart != null && restart.isPredecessor(worker)) {
			if (restart.stepDoneWhenGone(worker)) {
				nextRestartStep();
			}
			return;
		}
		switch (worker.retirement) {
			case REPLACE -> fork(worker.slot);
			case REPLACED -> {
				// Its successor serves in its slot
			}
			case REMOVE -> exitIfNothingIsLeft();
			case NONE -> crashed(worker.slot, worker.uptime());
		}
	}

	private void exitIfNothingIsLeft() {
		if (this.workers.isEmpty() && this.slots.stream().allMatch((slot) -> slot.givenUp || slot.removed)) {
			logger.error("No worker is left and none will be respawned: the master exits");
			finish(1);
		}
	}

	private static String exitReason(WorkerProcess worker, WorkerExit exit) {
		if (worker.killedBecause != null) {
			return worker.killedBecause;
		}
		if (worker.disconnectRequested) {
			return "retired";
		}
		return (exit.signal() != null) ? "signal" : "crashed";
	}

	private void crashed(Slot slot, Duration uptime) {
		if (slot != this.standbySlot) {
			this.restarts++;
		}
		slot.restarts++;
		RestartPolicy policy = this.settings.restartPolicy();
		int crashes = policy.countCrash(slot.crashesInRow, uptime);
		slot.crashesInRow = crashes;
		if (policy.exhausted(crashes)) {
			slot.givenUp = true;
			logger.error("A worker crashed " + crashes + " times in a row without staying up for "
					+ policy.stableUptime().toSeconds() + "s: its slot will not be respawned (cluster.restart.max-crashes="
					+ policy.maxCrashes() + "). The worker output above shows why it fails.");
			exitIfNothingIsLeft();
			return;
		}
		WorkerProcess standby = (slot != this.standbySlot) ? readyStandby() : null;
		if (standby != null) {
			activate(standby, slot);
			return;
		}
		Duration delay = policy.backoff(crashes);
		logger.warn("Replacing it in " + delay.toMillis() + " ms (crash " + crashes + " of at most "
				+ policy.maxCrashes() + " in a row)");
		schedule(() -> fork(slot, slot == this.standbySlot), delay);
	}

	private void startUnstarted() {
		long starting = this.workers.values()
			.stream()
			.filter((worker) -> !worker.served && !worker.standby && worker.state != WorkerState.DEAD)
			.count();
		Slot slot;
		while ((slot = this.pacing.next(starting)) != null) {
			// A slot may have been given a worker another way meanwhile (scaled up early)
			if (workersIn(slot).isEmpty() && fork(slot) != null) {
				starting++;
			}
		}
	}

	private void forkOwedStandby(WorkerProcess worker) {
		if (worker.standbyOwed) {
			worker.standbyOwed = false;
			forkStandby();
		}
	}

	// Standbys start only once the cluster serves, so that they do not slow its start down
	private void onceAllServe() {
		if (this.allServed.isDone()) {
			return;
		}
		long serving = this.workers.values().stream().filter((worker) -> worker.served && !worker.standby).count();
		if (serving >= desiredWorkers()) {
			this.allServed.complete(true);
			for (int i = 0; i < this.settings.standbyWorkers(); i++) {
				forkStandby();
			}
		}
	}

	private @Nullable WorkerProcess readyStandby() {
		return this.workers.values()
			.stream()
			.filter((worker) -> worker.standby && worker.standbyReady && !worker.isRetiring() && worker.isConnected())
			.findFirst()
			.orElse(null);
	}

	// The standby's application is up: it only has to start its web server
	private void activate(WorkerProcess standby, Slot slot) {
		logger.info("Standby worker " + standby.id + " takes over the slot at once");
		standby.standby = false;
		standby.standbyOwed = true;
		standby.slot = slot;
		watchStartup(standby);
		if (standby.connection == null || !standby.connection.trySend(new Message.Activate("a worker died"))) {
			standby.kill("killed");
		}
	}

	// Judged once a second by its progress: on a machine whose cores are all busy a start
	// takes long, and is not hung for that
	private void watchStartup(WorkerProcess worker) {
		if (worker.startupDeadline != null) {
			worker.startupDeadline.cancel(false);
		}
		StartupProgress progress = StartupProgress.of(worker.process.toHandle(), this.settings.startupTimeout());
		worker.startupDeadline = this.loop.scheduleWithFixedDelay(guarded(() -> checkStartup(worker, progress)), 1, 1,
				TimeUnit.SECONDS);
	}

	private void checkStartup(WorkerProcess worker, StartupProgress progress) {
		if (worker.served || worker.state == WorkerState.DEAD || worker.killedBecause != null) {
			return;
		}
		String verdict = progress.verdict();
		if (verdict != null) {
			logger.error("Killing " + worker + ": " + verdict + " (cluster.worker.startup-timeout="
					+ this.settings.startupTimeout().toSeconds() + "s)");
			worker.kill("killed");
		}
	}

	// ---- Rolling restart

	private void nextRestartStep() {
		RollingRestart restart = this.rollingRestart;
		if (restart == null) {
			return;
		}
		Integer next;
		while ((next = restart.next()) != null) {
			WorkerProcess old = this.workers.get(next);
			if (old == null || old.slot.removed) {
				continue;
			}
			WorkerProcess successor = replace(old, "rolling restart");
			if (successor != null) {
				restart.replacing(old, successor);
				return;
			}
		}
		logger.info("Rolling restart done");
		this.rollingRestart = null;
		this.lastRestart = restart.finished("done", null);
	}

	private void abortRestart(RollingRestart restart, WorkerProcess successor) {
		String message = "replacement worker " + successor.id + " ended with " + successor.exit
				+ " before it was ready";
		logger.error("Rolling restart stopped: " + message + ". The remaining workers keep serving.");
		this.rollingRestart = null;
		this.lastRestart = restart.finished("failed", message);
		this.history.recordRestartFailure(successor.id, successor.exit);
	}

	// ---- Shutdown

	private void retire(WorkerProcess worker, Retirement retirement, String reason) {
		worker.retirement = retirement;
		worker.disconnectRequested = true;
		if (worker.connection == null || !worker.connection.trySend(new Message.Disconnect(reason))) {
			// Not on the channel yet: its JVM shuts down on SIGTERM as gracefully as it can
			worker.process.destroy();
		}
		// A worker that cannot leave, however stuck, is not left to hold its slot
		Duration timeout = this.settings.shutdownTimeout();
		schedule(() -> {
			if (worker.state != WorkerState.DEAD) {
				logger.warn("Killing " + worker + ": it did not exit within " + timeout.toSeconds()
						+ "s of being asked to (cluster.shutdown-timeout)");
				worker.kill("killed");
			}
		}, timeout);
	}

	private void beginShutdown() {
		if (this.stopping) {
			logger.warn("Stopping now: killing " + this.workers.size() + " workers");
			this.workers.values().forEach((worker) -> worker.kill("killed"));
			schedule(this::finishOnceAllGone, Duration.ofSeconds(1));
			return;
		}
		this.stopping = true;
		this.rollingRestart = null;
		if (this.workers.isEmpty()) {
			finish(0);
			return;
		}
		Duration timeout = this.settings.shutdownTimeout();
		logger.info("Stopping the cluster: asking " + this.workers.size() + " workers to disconnect (at most "
				+ timeout.toSeconds() + "s)");
		List.copyOf(this.workers.values())
			.forEach((worker) -> retire(worker, Retirement.REMOVE, "the master is stopping"));
		schedule(this::finishOnceAllGone, timeout.plusSeconds(1));
	}

	// The master stops once its workers' processes are gone, even if handling an exit
	// failed (a class that could not load from a jar replaced in place, say)
	private void finishOnceAllGone() {
		if (this.terminated.isDone()) {
			return;
		}
		if (this.workers.values().stream().anyMatch((worker) -> worker.process.isAlive())) {
			schedule(this::finishOnceAllGone, Duration.ofSeconds(1));
			return;
		}
		logger.warn("Every worker has exited, some without the master seeing it through: stopping");
		finish(0);
	}

	// The executor would keep a task's failure to itself: a failure here must be seen
	private void execute(Runnable task) {
		try {
			this.loop.execute(guarded(task));
		}
		catch (RejectedExecutionException ex) {
			// The cluster has stopped; nothing is left to act on
		}
	}

	private ScheduledFuture<?> schedule(Runnable task, Duration delay) {
		return this.loop.schedule(guarded(task), delay.toMillis(), TimeUnit.MILLISECONDS);
	}

	private static Runnable guarded(Runnable task) {
		return () -> {
			try {
				task.run();
			}
			catch (Throwable ex) {
				logger.error("The supervisor failed a task; the cluster carries on", ex);
			}
		};
	}

	private void finish(int code) {
		this.allServed.complete(false);
		this.terminated.complete(code);
	}

	private void publish(ClusterWorkerEvent event) {
		List<WorkerSnapshot> snapshots = new ArrayList<>(this.workers.size());
		this.workers.values().forEach((worker) -> snapshots.add(worker.snapshot()));
		this.view = List.copyOf(snapshots);
		this.history.record(event);
		try {
			this.publisher.accept(event);
		}
		catch (RuntimeException ex) {
			logger.error("A listener failed on " + event, ex);
		}
	}

	/**
	 * A rolling restart under way: the workers still to replace, and the current step's
	 * old and new worker.
	 */

}
