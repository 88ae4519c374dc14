package io.bootcluster.master;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.bootcluster.Cluster;
import io.bootcluster.ClusterWorkerEvent;
import io.bootcluster.WorkerDisconnectEvent;
import io.bootcluster.WorkerExit;
import io.bootcluster.WorkerExitEvent;
import io.bootcluster.WorkerForkEvent;
import io.bootcluster.WorkerListeningEvent;
import io.bootcluster.WorkerMessageEvent;
import io.bootcluster.WorkerOnlineEvent;
import io.bootcluster.WorkerSnapshot;
import io.bootcluster.WorkerState;
import io.bootcluster.ipc.ChannelServer;
import io.bootcluster.ipc.Connection;
import io.bootcluster.ipc.Message;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Keeps the desired number of workers running. Each of the {@code desiredWorkers} slots
 * holds one worker; a worker that dies unexpectedly is replaced in its slot after the
 * {@link RestartPolicy}'s backoff.
 * <p>
 * Everything that changes the cluster's state runs on one thread, the supervisor's: the
 * channel's readers, the processes' exit callbacks and the timers hand their work to it.
 * That keeps every worker's events in order without a lock.
 */
final class Supervisor implements ChannelServer.Handler, Cluster {

	private static final Log logger = LogFactory.getLog(Supervisor.class);

	private static final Duration HANDSHAKE_DECISION_TIMEOUT = Duration.ofSeconds(5);

	private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "cluster-supervisor");
		thread.setDaemon(true);
		return thread;
	});

	private final WorkerLauncher launcher;

	private final ClusterMaster.MasterSettings settings;

	private final int desiredWorkers;

	private final int port;

	private final Consumer<ClusterWorkerEvent> publisher;

	private final Map<Integer, WorkerProcess> workers = new LinkedHashMap<>();

	private final Map<Connection, WorkerProcess> byConnection = new IdentityHashMap<>();

	private final int[] crashesInRow;

	private final boolean[] slotStopped;

	private final CompletableFuture<Integer> terminated = new CompletableFuture<>();

	private volatile List<WorkerSnapshot> view = List.of();

	private int lastId;

	private boolean stopping;

	Supervisor(ClusterMaster.MasterSettings settings, int desiredWorkers, int port, WorkerLauncher launcher,
			Consumer<ClusterWorkerEvent> publisher) {
		this.settings = settings;
		this.desiredWorkers = desiredWorkers;
		this.port = port;
		this.launcher = launcher;
		this.publisher = publisher;
		this.crashesInRow = new int[desiredWorkers];
		this.slotStopped = new boolean[desiredWorkers];
	}

	void start() {
		this.loop.execute(() -> {
			for (int slot = 0; slot < this.desiredWorkers; slot++) {
				fork(slot);
			}
		});
	}

	/**
	 * Stops the cluster: asks every worker to disconnect, kills those still there after
	 * the shutdown timeout. A second call kills them at once.
	 */
	void stop() {
		this.loop.execute(this::beginShutdown);
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

	@Override
	public int desiredWorkers() {
		return this.desiredWorkers;
	}

	@Override
	public List<WorkerSnapshot> workers() {
		return this.view;
	}

	private void fork(int slot) {
		if (this.stopping) {
			return;
		}
		int id = ++this.lastId;
		WorkerProcess worker;
		try {
			worker = new WorkerProcess(id, slot, this.launcher.launch(id));
		}
		catch (IOException ex) {
			logger.error("Could not start worker " + id + ": " + ex.getMessage(), ex);
			crashed(slot, Duration.ZERO);
			return;
		}
		this.workers.put(id, worker);
		publish(new WorkerForkEvent(this, worker.snapshot()));
		worker.startupDeadline = this.loop.schedule(() -> startupTimedOut(worker),
				this.settings.startupTimeout().toMillis(), TimeUnit.MILLISECONDS);
		// Off the JDK's process reaper thread: draining the output may take a moment
		worker.process.onExit().thenRunAsync(() -> {
			worker.drainOutput();
			this.loop.execute(() -> exited(worker));
		}, (task) -> new Thread(task, "cluster-exit-" + id).start());
	}

	@Override
	public boolean accept(Connection connection, Message.Hello hello) {
		return onLoop(() -> {
			WorkerProcess worker = this.workers.get(hello.workerId());
			if (worker == null || worker.process.pid() != hello.pid() || worker.state != WorkerState.FORKED) {
				logger.warn("Refused a channel connection from pid " + hello.pid() + " claiming to be worker "
						+ hello.workerId() + ": no such worker is waiting to join");
				return false;
			}
			worker.connection = connection;
			this.byConnection.put(connection, worker);
			worker.state = WorkerState.ONLINE;
			publish(new WorkerOnlineEvent(this, worker.snapshot()));
			if (worker.disconnectRequested) {
				connection.trySend(new Message.Disconnect("the master is stopping"));
			}
			return true;
		});
	}

	@Override
	public void received(Connection connection, Message message) {
		this.loop.execute(() -> {
			WorkerProcess worker = this.byConnection.get(connection);
			if (worker == null) {
				return;
			}
			if (message instanceof Message.Listening listening) {
				listening(worker, listening);
			}
			else if (message instanceof Message.UserMessage userMessage) {
				publish(new WorkerMessageEvent(this, worker.snapshot(), userMessage.topic(), userMessage.payload()));
			}
			else {
				logger.warn("Ignored an unexpected " + message.getClass().getSimpleName() + " from " + worker);
			}
		});
	}

	@Override
	public void closed(Connection connection) {
		this.loop.execute(() -> {
			WorkerProcess worker = this.byConnection.remove(connection);
			if (worker != null && worker.isConnected()) {
				disconnected(worker);
			}
		});
	}

	private void listening(WorkerProcess worker, Message.Listening listening) {
		int port = this.port;
		String problem = !listening.reusePort() ? "without SO_REUSEPORT"
				: (port > 0 && listening.port() != port) ? "instead of the shared port " + port : null;
		if (problem != null) {
			logger.error("Killing " + worker + ": it bound " + listening.host() + ":" + listening.port() + " " + problem
					+ ", so it cannot share the port with the other workers");
			worker.kill();
			return;
		}
		if (worker.startupDeadline != null) {
			worker.startupDeadline.cancel(false);
		}
		worker.state = WorkerState.LISTENING;
		logger.info("Worker " + worker.id + " (pid " + worker.process.pid() + ") is listening on " + listening.host()
				+ ":" + listening.port());
		publish(new WorkerListeningEvent(this, worker.snapshot(),
				InetSocketAddress.createUnresolved(listening.host(), listening.port())));
	}

	private void disconnected(WorkerProcess worker) {
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
		worker.exit = WorkerExit.of(worker.process.exitValue());
		if (worker.exitedAfterDisconnect == null) {
			worker.exitedAfterDisconnect = worker.disconnectRequested;
		}
		this.workers.remove(worker.id);
		publish(new WorkerExitEvent(this, worker.snapshot()));
		if (worker.disconnectRequested) {
			logger.info("Worker " + worker.id + " exited with " + worker.exit);
		}
		else {
			logger.warn("Worker " + worker.id + " (pid " + worker.process.pid() + ") died unexpectedly with "
					+ worker.exit + " after " + worker.uptime().toMillis() + " ms");
		}
		if (this.stopping) {
			if (this.workers.isEmpty()) {
				finish(0);
			}
		}
		else if (worker.disconnectRequested) {
			fork(worker.slot);
		}
		else {
			crashed(worker.slot, worker.uptime());
		}
	}

	private void crashed(int slot, Duration uptime) {
		RestartPolicy policy = this.settings.restartPolicy();
		int crashes = policy.countCrash(this.crashesInRow[slot], uptime);
		this.crashesInRow[slot] = crashes;
		if (policy.exhausted(crashes)) {
			this.slotStopped[slot] = true;
			logger.error("A worker crashed " + crashes + " times in a row without staying up for "
					+ policy.stableUptime().toSeconds() + "s: its slot will not be respawned (cluster.restart.max-crashes="
					+ policy.maxCrashes() + "). The worker output above shows why it fails.");
			if (this.workers.isEmpty() && allSlotsStopped()) {
				logger.error("No worker is left and none will be respawned: the master exits");
				finish(1);
			}
			return;
		}
		Duration delay = policy.backoff(crashes);
		logger.warn("Replacing it in " + delay.toMillis() + " ms (crash " + crashes + " of at most "
				+ policy.maxCrashes() + " in a row)");
		this.loop.schedule(() -> fork(slot), delay.toMillis(), TimeUnit.MILLISECONDS);
	}

	private boolean allSlotsStopped() {
		for (boolean stopped : this.slotStopped) {
			if (!stopped) {
				return false;
			}
		}
		return true;
	}

	private void startupTimedOut(WorkerProcess worker) {
		if (worker.state == WorkerState.FORKED || worker.state == WorkerState.ONLINE) {
			logger.error("Killing " + worker + ": it did not start listening within "
					+ this.settings.startupTimeout().toSeconds() + "s (cluster.worker.startup-timeout)");
			worker.kill();
		}
	}

	private void beginShutdown() {
		if (this.stopping) {
			logger.warn("Stopping now: killing " + this.workers.size() + " workers");
			this.workers.values().forEach(WorkerProcess::kill);
			return;
		}
		this.stopping = true;
		if (this.workers.isEmpty()) {
			finish(0);
			return;
		}
		Duration timeout = this.settings.shutdownTimeout();
		logger.info("Stopping the cluster: asking " + this.workers.size() + " workers to disconnect (at most "
				+ timeout.toSeconds() + "s)");
		this.workers.values().forEach((worker) -> requestDisconnect(worker, "the master is stopping"));
		this.loop.schedule(() -> {
			for (WorkerProcess worker : this.workers.values()) {
				logger.warn("Killing " + worker + ": it did not exit within " + timeout.toSeconds()
						+ "s (cluster.shutdown-timeout)");
				worker.kill();
			}
		}, timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	private void requestDisconnect(WorkerProcess worker, String reason) {
		worker.disconnectRequested = true;
		if (worker.connection == null || !worker.connection.trySend(new Message.Disconnect(reason))) {
			// Not on the channel yet: its JVM shuts down on SIGTERM as gracefully as it can
			worker.process.destroy();
		}
	}

	private void finish(int code) {
		this.terminated.complete(code);
	}

	private void publish(ClusterWorkerEvent event) {
		List<WorkerSnapshot> snapshots = new ArrayList<>(this.workers.size());
		this.workers.values().forEach((worker) -> snapshots.add(worker.snapshot()));
		this.view = List.copyOf(snapshots);
		try {
			this.publisher.accept(event);
		}
		catch (RuntimeException ex) {
			logger.error("A listener failed on " + event, ex);
		}
	}

	private <T> T onLoop(Callable<T> task) {
		try {
			return this.loop.submit(task).get(HANDSHAKE_DECISION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException("The supervisor did not answer", ex);
		}
	}

}
