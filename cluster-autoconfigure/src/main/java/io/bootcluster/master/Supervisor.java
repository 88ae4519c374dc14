package io.bootcluster.master;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.bootcluster.Cluster;
import io.bootcluster.ClusterStatus;
import io.bootcluster.WorkerSnapshot;
import io.bootcluster.internal.ipc.ChannelServer;
import io.bootcluster.internal.ipc.Connection;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.master.WorkerLife.Departure;
import io.bootcluster.messaging.ChannelMessenger;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEvent;

/**
 * Keeps the desired number of workers running, and takes the operators' commands: status,
 * rolling restart, scale, stopping a worker, stopping the cluster. It puts together the
 * parts that each own a piece of the work:
 * <ul>
 * <li>the {@link MasterChannel}, which turns what workers send into calls on</li>
 * <li>the {@link WorkerLifecycle}, a worker's life from fork to exit, with its
 * {@link StandbyPool} and {@link StartupWatch};</li>
 * <li>the {@link Slots}, with their {@link LaunchPacing} and {@link RestartPolicy};</li>
 * <li>the {@link RollingRestart}, the {@link HeartbeatWatch} and the
 * {@link Departures};</li>
 * <li>the {@link MessageRouter}, the one part that runs off the loop, on the channel's
 * reader threads.</li>
 * </ul>
 * Everything else that changes the cluster's state runs on one thread, the {@link Loop}'s.
 */
final class Supervisor implements Cluster {

	private static final Log logger = LogFactory.getLog(Supervisor.class);

	private final Loop loop;

	private final Layout layout;

	private final FrameCodec codec;

	private final WorkerTable workers = new WorkerTable();

	private final ClusterHistory history = new ClusterHistory();

	private final LaunchPacing pacing;

	private final Slots slots;

	private final MessageRouter router;

	private final MasterRequests requests;

	private final HeartbeatWatch heartbeats;

	private final Departures departures;

	private final RollingRestart rollingRestart;

	private final WorkerLifecycle lifecycle;

	private final MasterChannel channel;

	/**
	 * The cluster to keep, as the master planned it.
	 * @param sizing how many workers it wants at first, how many it may grow to, and the
	 * heap each gets
	 * @param port the port workers must share, or 0 when they choose their own
	 * @param requireReusePort whether a worker that binds without {@code SO_REUSEPORT} is
	 * killed
	 * @param cpus the cores the workers share, which paces their starts
	 * @param perWorkerState what the application keeps per process, for the status
	 * @param channelDirectory the master's private directory, where death sentinels' FIFOs
	 * are made; {@code null} for none
	 */
	record Layout(WorkerSizing sizing, int port, boolean requireReusePort, int cpus,
			List<ClusterStatus.PerWorkerState> perWorkerState, @Nullable Path channelDirectory) {
	}

	Supervisor(ClusterMaster.MasterSettings settings, Layout layout, FrameCodec codec, Loop loop, Launcher launcher,
			Consumer<ApplicationEvent> publisher) {
		this.loop = loop;
		this.layout = layout;
		this.codec = codec;
		this.pacing = new LaunchPacing(layout.cpus());
		this.slots = new Slots(layout.sizing().workers(), this.pacing, settings.restartPolicy());
		this.router = new MessageRouter(publisher, codec);
		this.requests = new MasterRequests(this, settings.maxFrameSize());
		this.heartbeats = new HeartbeatWatch(loop, this.workers, this.router, settings.heartbeatTimeout());
		this.departures = new Departures(loop, this.workers, settings.shutdownTimeout());
		this.rollingRestart = new RollingRestart(this.workers, this.history);
		this.lifecycle = new WorkerLifecycle(this, loop, launcher, layout, settings,
				new WorkerLifecycle.Parts(this.workers, this.slots, this.router, this.history, this.departures,
						this.rollingRestart, this.requests),
				publisher);
		SessionHolders holders = new SessionHolders();
		SessionStore sessions = new SessionStore(settings.sessions().maxBytes(), settings.sessions().maxSessionBytes(),
				System::currentTimeMillis, holders::revoke);
		this.channel = new MasterChannel(this.lifecycle, loop, this.workers, this.router, this.heartbeats,
				this.requests, new SessionChannels(sessions, holders, codec));
	}

	/**
	 * How workers are paced when they start.
	 * @return the pacing
	 */
	LaunchPacing pacing() {
		return this.pacing;
	}

	/**
	 * The master's end of the channel.
	 * @return what handles the workers' connections
	 */
	ChannelServer.Handler channel() {
		return this.channel;
	}

	/**
	 * Forks the first workers, then watches their heartbeats.
	 * @param afterFirstForks run on the supervisor's loop once the first round of workers
	 * is forked
	 */
	void start(Runnable afterFirstForks) {
		this.loop.execute(() -> {
			this.lifecycle.startUnstarted();
			afterFirstForks.run();
		});
		this.heartbeats.start();
	}

	/**
	 * Restarts every worker, one at a time, when the master gets SIGHUP.
	 */
	void restartOnSignal() {
		this.loop.execute(() -> {
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
		this.loop.execute(() -> {
			this.rollingRestart.cancel();
			this.departures.stopCluster();
		});
	}

	/**
	 * Waits until the cluster has stopped.
	 * @return the master's exit code: 0 after a requested stop, 1 when every slot stopped
	 * respawning
	 */
	int awaitTermination() {
		int code = this.departures.awaitTermination();
		this.loop.shutdown();
		return code;
	}

	ChannelMessenger messenger() {
		return this.router.messenger();
	}

	MasterRequests requests() {
		return this.requests;
	}

	@Override
	public int desiredWorkers() {
		return this.slots.desired();
	}

	@Override
	public List<WorkerSnapshot> workers() {
		return this.workers.view();
	}

	/**
	 * Waits until every worker the cluster wants has started: listening and ready.
	 * @param timeout the longest wait
	 * @return whether they have
	 */
	boolean awaitAllServed(Duration timeout) {
		try {
			return this.lifecycle.allServed().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
	 * Runs a task on the supervisor's loop and waits for its result.
	 * @param <T> the result type
	 * @param task the task
	 * @return its result
	 */
	<T> T call(Callable<T> task) {
		return this.loop.call(task);
	}

	// ---- Operations, on the loop

	ClusterStatus status() {
		this.loop.assertOnLoop();
		return StatusReport.of(this.workers.all(), this.loop.nanoTime(), desiredWorkers(), this.slots.restarts(),
				this.history, this.codec, this.rollingRestart.status(), this.layout.perWorkerState(),
				this.lifecycle.leadership().leaderId());
	}

	/**
	 * Replaces every worker, one at a time, each replacement listening before its
	 * predecessor is asked to go.
	 * @return the ids of the workers to replace, in order
	 */
	List<Integer> restart() {
		requireSteady("restart");
		List<Integer> ids = this.workers.runningIds();
		// A revived slot's new worker runs the new build already
		reviveGivenUpSlots();
		// Standbys run what the workers ran: fresh ones take their place
		this.lifecycle.standbys().renew(this.departures);
		this.rollingRestart.start(ids, this.lifecycle::replace);
		return ids;
	}

	/**
	 * Grows or shrinks the cluster. New slots get a worker at once; removed slots' workers
	 * are asked to go: those that gave up first, then the newest.
	 * @param desired the new number of workers
	 * @return the number of workers before
	 */
	int scale(int desired) {
		if (desired < 1) {
			throw new IllegalArgumentException("workers must be at least 1, was " + desired);
		}
		requireSteady("scale");
		this.layout.sizing().requireFits(desired);
		int before = desiredWorkers();
		logger.info("Scaling from " + before + " to " + desired + " workers");
		List<Slot> removed = this.slots.resize(desired);
		reviveGivenUpSlots();
		for (Slot slot : removed) {
			this.workers.in(slot)
				.forEach((worker) -> this.departures.retire(worker, Departure.REMOVE, "the cluster is scaling down"));
		}
		return before;
	}

	/**
	 * Asks one worker to go; a new worker takes its slot once it is gone.
	 * @param id the worker's id
	 */
	void stopWorker(int id) {
		requireSteady("stop a worker");
		List<Integer> running = this.workers.runningIds();
		WorkerProcess worker = this.workers.get(id);
		if (worker == null || !running.contains(id)) {
			throw new IllegalArgumentException("No running worker has id " + id + "; running: " + running);
		}
		this.departures.retire(worker, Departure.REPLACE, "an operator stopped it");
	}

	/**
	 * The workers that listen, to which requests can be sent.
	 * @return their connections, by worker id
	 */
	Map<Integer, Connection> listeningConnections() {
		return this.workers.listeningConnections();
	}

	private void reviveGivenUpSlots() {
		int revived = this.slots.revive();
		if (revived > 0) {
			logger.info("Respawning workers in " + revived + " slot(s) that had given up after crashing");
		}
		this.lifecycle.startUnstarted();
	}

	private void requireSteady(String action) {
		this.loop.assertOnLoop();
		if (this.departures.isStopping()) {
			throw new IllegalArgumentException("Cannot " + action + ": the cluster is stopping");
		}
		if (this.rollingRestart.isRunning()) {
			throw new IllegalArgumentException("Cannot " + action + ": a rolling restart is running");
		}
	}

}
