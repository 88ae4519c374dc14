package io.bootcluster.master;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import io.bootcluster.Cluster;
import io.bootcluster.ClusterWorkerEvent;
import io.bootcluster.WorkerForkEvent;
import io.bootcluster.WorkerLeaderEvent;
import io.bootcluster.WorkerListeningEvent;
import io.bootcluster.WorkerOnlineEvent;
import io.bootcluster.internal.ipc.Connection;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.master.WorkerLife.Departure;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEvent;

/**
 * A worker's life as the master lives it, from fork to serving: each step moves the worker's
 * {@link WorkerLife}, publishes its event, and decides what the cluster does next. A
 * worker that serves may take over from its predecessor and lets the next start begin;
 * what becomes of a worker that is gone is {@link WorkerExits}'. Owned by the supervisor's
 * loop.
 */
final class WorkerLifecycle {

	private static final Log logger = LogFactory.getLog(WorkerLifecycle.class);

	private final Cluster source;

	private final Loop loop;

	private final Launcher launcher;

	private final Supervisor.Layout layout;

	private final WorkerTable workers;

	private final Slots slots;

	private final MessageRouter router;

	private final ClusterHistory history;

	private final Departures departures;

	private final RollingRestart rollingRestart;

	private final StartupWatch startupWatch;

	private final StandbyPool standbys;

	private final DeathSentinels sentinels;

	private final Leadership leadership;

	private final WorkerExits exits;

	private final Consumer<ApplicationEvent> publisher;

	// Completed once every worker the cluster wants has served (true), or when the cluster
	// ends first (false)
	private final CompletableFuture<Boolean> allServed = new CompletableFuture<>();

	private int lastId;

	WorkerLifecycle(Cluster source, Loop loop, Launcher launcher, Supervisor.Layout layout, ClusterMaster.MasterSettings settings,
			Parts parts, Consumer<ApplicationEvent> publisher) {
		this.source = source;
		this.loop = loop;
		this.launcher = launcher;
		this.layout = layout;
		this.workers = parts.workers();
		this.slots = parts.slots();
		this.router = parts.router();
		this.history = parts.history();
		this.departures = parts.departures();
		this.rollingRestart = parts.rollingRestart();
		this.publisher = publisher;
		this.startupWatch = new StartupWatch(loop, settings.startupTimeout());
		this.standbys = new StandbyPool(settings.standbyWorkers(), this.workers, this::fork, this.startupWatch,
				loop::nanoTime);
		this.sentinels = new DeathSentinels(loop, (settings.standbyWorkers() > 0) ? layout.channelDirectory() : null,
				parts.requests(), this::takeOverAtOnce);
		this.departures.onFinish(() -> this.allServed.complete(false));
		this.leadership = new Leadership(this.workers,
				(worker) -> publish(new WorkerLeaderEvent(this.source, worker.snapshot(), true)),
				(worker) -> publish(new WorkerLeaderEvent(this.source, worker.snapshot(), false)));
		this.departures.onRetire(this.leadership::update);
		this.exits = new WorkerExits(source, loop, parts, this.standbys, this.sentinels, this.leadership, this::fork,
				this::startUnstarted, this::publish);
	}

	/**
	 * The state the lifecycle shares with the supervisor's other parts.
	 * @param workers the workers
	 * @param slots the slots
	 * @param router the message router
	 * @param history the cluster's history
	 * @param departures how workers leave
	 * @param rollingRestart the rolling restart
	 * @param requests the master's requests, to workers among others
	 */
	record Parts(WorkerTable workers, Slots slots, MessageRouter router, ClusterHistory history,
			Departures departures, RollingRestart rollingRestart, MasterRequests requests) {
	}

	StandbyPool standbys() {
		return this.standbys;
	}

	Leadership leadership() {
		return this.leadership;
	}

	WorkerExits exits() {
		return this.exits;
	}

	CompletableFuture<Boolean> allServed() {
		return this.allServed;
	}

	/**
	 * Starts first workers in the slots that wait for one, as many as the pacing allows.
	 */
	void startUnstarted() {
		long starting = this.workers.starting();
		Slot slot;
		while ((slot = this.slots.nextToStart(starting)) != null) {
			// A slot may have been given a worker another way meanwhile (scaled up early)
			if (this.workers.in(slot).isEmpty() && fork(slot, false) != null) {
				starting++;
			}
		}
	}

	private @Nullable WorkerProcess fork(Slot slot, boolean standby) {
		return fork(slot, standby, true);
	}

	// A fork that fills an empty slot is tried again after a failed launch; a successor's
	// is not, since the worker it would replace still serves
	private @Nullable WorkerProcess fork(Slot slot, boolean standby, boolean fillsSlot) {
		if (this.departures.isStopping() || slot.removed || slot.givenUp) {
			return null;
		}
		int id = ++this.lastId;
		WorkerProcess worker;
		try {
			WorkerHandle handle = this.launcher.launch(id, standby ? -1 : slot.index, standby,
					this.layout.sizing().heapOptionFor(this.slots.desired()));
			worker = new WorkerProcess(id, slot, handle, standby, this.loop.nanoTime());
		}
		catch (IOException ex) {
			Duration delay = this.slots.launchFailed(slot);
			logger.error("Could not start worker " + id + ": " + ex.getMessage() + ". The master tries again in "
					+ delay.toMillis() + " ms");
			if (fillsSlot) {
				this.loop.schedule(() -> fork(slot, standby, true), delay);
			}
			return null;
		}
		this.slots.launched(slot);
		this.workers.add(worker);
		publish(new WorkerForkEvent(this.source, worker.snapshot()));
		this.startupWatch.watch(worker);
		worker.handle.onExit(() -> this.loop.execute(() -> this.exits.exited(worker)));
		return worker;
	}

	void joined(WorkerProcess worker, Connection connection) {
		worker.online(connection, this.loop.nanoTime());
		this.workers.bind(connection, worker);
		this.router.join(worker.id, connection);
		publish(new WorkerOnlineEvent(this.source, worker.snapshot()));
		this.leadership.tell(connection);
		if (worker.life.isLeaving()) {
			connection.trySend(new Message.Disconnect("the master is stopping"));
		}
	}

	void waiting(WorkerProcess worker) {
		worker.life.waiting();
		worker.stopWatchingStartup();
		logger.info("Standby " + worker + " is ready to take over");
	}

	void listening(WorkerProcess worker, Message.Listening listening) {
		int port = this.layout.port();
		String problem = (this.layout.requireReusePort() && !listening.reusePort()) ? "without SO_REUSEPORT"
				: (port > 0 && listening.port() != port) ? "instead of the shared port " + port : null;
		if (problem != null) {
			logger.error("Killing " + worker + ": it bound " + listening.host() + ":" + listening.port() + " " + problem
					+ ", so it cannot share the port with the other workers");
			worker.kill("killed");
			return;
		}
		boolean serving = worker.life.listening();
		this.history.recordStartup(worker.activeTime(this.loop.nanoTime()));
		logger.info("Worker " + worker.id + " (pid " + worker.handle.pid() + ") is listening on " + listening.host()
				+ ":" + listening.port());
		publish(new WorkerListeningEvent(this.source, worker.snapshot(),
				InetSocketAddress.createUnresolved(listening.host(), listening.port())));
		if (serving) {
			served(worker);
		}
	}

	void readiness(WorkerProcess worker, boolean accepting) {
		if (worker.life.readiness(accepting)) {
			served(worker);
		}
	}

	// Listening and ready: the worker has started, and may take over from a predecessor
	private void served(WorkerProcess worker) {
		worker.stopWatchingStartup();
		worker.handle.favourCompilers();
		startUnstarted();
		// Standbys start only once the cluster serves, so that they do not slow its start
		if (!this.allServed.isDone() && this.workers.serving() >= this.slots.desired()) {
			this.allServed.complete(true);
			this.standbys.fill();
		}
		this.standbys.settled(worker);
		this.sentinels.watch(worker);
		WorkerProcess predecessor = worker.predecessor;
		if (predecessor != null) {
			worker.predecessor = null;
			predecessor.successor = null;
			if (!predecessor.life.isDead()) {
				this.departures.retire(predecessor, Departure.REPLACED, "worker " + worker.id + " replaced it");
			}
		}
		this.rollingRestart.served(worker);
		this.leadership.update();
	}

	void released(WorkerProcess worker) {
		this.leadership.released(worker);
	}

	void replaceAsked(WorkerProcess worker, String reason) {
		if (replace(worker, reason) == null) {
			logger.warn(worker + " asked to be replaced (" + reason + "), which cannot be done now");
		}
	}

	/**
	 * Starts a successor in a worker's slot; the worker is retired once its successor
	 * serves. A worker that has not started yet (a replacement itself, maybe) is not
	 * replaced: the startup watch deals with it.
	 * @param worker the worker
	 * @param reason why, for the log
	 * @return the successor, or {@code null} when none was started
	 */
	@Nullable WorkerProcess replace(WorkerProcess worker, String reason) {
		if (this.departures.isStopping() || worker.life.isLeaving() || worker.successor != null
				|| !worker.life.hasServed() || worker.life.isDead() || worker.takenOver) {
			return null;
		}
		WorkerProcess successor = fork(worker.slot(), false, false);
		if (successor != null) {
			logger.info("Replacing " + worker + " with worker " + successor.id + ": " + reason);
			worker.successor = successor;
			successor.predecessor = worker;
		}
		return successor;
	}

	// A standby takes a dying worker's slot as soon as its death sentinel ends
	private void takeOverAtOnce(WorkerProcess worker) {
		this.exits.takeOverAtOnce(worker);
	}

	private void publish(ClusterWorkerEvent event) {
		this.workers.refreshView();
		this.history.record(event);
		try {
			this.publisher.accept(event);
		}
		catch (RuntimeException ex) {
			logger.error("A listener failed on " + event, ex);
		}
	}

}
