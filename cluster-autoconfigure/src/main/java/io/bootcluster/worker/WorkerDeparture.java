package io.bootcluster.worker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.bootcluster.DisconnectRequestedEvent;
import io.bootcluster.internal.ipc.ChannelAddress;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * How a worker ends: it leaves when the master asks (its application closes gracefully),
 * or it exits within seconds once its master is gone, however the master died, since an
 * orphan would keep taking a share of the port's connections. Leaving is decided once,
 * whichever comes first, by an atomic flag; every end goes through {@link JvmEnd}.
 */
final class WorkerDeparture {

	private static final Log logger = LogFactory.getLog(WorkerDeparture.class);

	/** How long an orphaned worker may spend closing before it halts. */
	static final Duration ORPHAN_GRACE = Duration.ofSeconds(3);

	private final int id;

	private final Path socket;

	private final MasterLink link;

	private final JvmEnd end;

	private final AtomicBoolean leaving = new AtomicBoolean();

	private final AtomicBoolean orphaned = new AtomicBoolean();

	private volatile boolean leftCleanly;

	private volatile long masterPid;

	private volatile @Nullable ConfigurableApplicationContext context;

	private volatile @Nullable Consumer<String> beforeClose;

	WorkerDeparture(int id, Path socket, MasterLink link, JvmEnd end) {
		this.id = id;
		this.socket = socket;
		this.link = link;
		this.end = end;
	}

	boolean isLeaving() {
		return this.leaving.get();
	}

	/**
	 * Watches the master's process: once it is gone, this worker goes too.
	 * @param masterPid the master's pid
	 */
	void watchMaster(long masterPid) {
		this.masterPid = masterPid;
		ProcessHandle.of(masterPid)
			.ifPresentOrElse((master) -> master.onExit().thenRun(this::masterGone), this::masterGone);
	}

	/**
	 * Gives the application's context, to be closed when the worker leaves.
	 * @param context the context
	 */
	void attach(ConfigurableApplicationContext context) {
		this.context = context;
	}

	/**
	 * What to do first when the worker leaves, such as refusing further messages.
	 * @param action the action, given why the worker leaves
	 */
	void beforeClose(Consumer<String> action) {
		this.beforeClose = action;
	}

	/**
	 * Leaves the cluster, on a thread of its own: refuses traffic, publishes
	 * {@link DisconnectRequestedEvent}, closes the application and exits.
	 * @param reason why, for the logs
	 */
	void leave(String reason) {
		if (!this.leaving.compareAndSet(false, true)) {
			return;
		}
		logger.info("Leaving the cluster: " + reason);
		this.link.expectClose();
		Thread closing = new Thread(() -> close(reason), "cluster-leave");
		// Not a daemon, whatever thread asked: once the shared listener is closed, a web
		// server may have no thread left that keeps the JVM alive (Reactor Netty's waits on
		// that listener), and the JVM would run its shutdown hooks while connections drain
		closing.setDaemon(false);
		closing.start();
	}

	private void close(String reason) {
		int code = JvmEnd.LEFT;
		try {
			Consumer<String> beforeClose = this.beforeClose;
			if (beforeClose != null) {
				beforeClose.accept("worker " + this.id + " is leaving the cluster");
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
			this.link.close();
			this.end.exit(code);
		}
	}

	/**
	 * A standby held at its gate leaves at once: its application is still starting, there
	 * is nothing to close gracefully, and its context cannot be closed while it refreshes.
	 * @param reason why, for the logs
	 */
	void leaveWhileStarting(String reason) {
		if (this.leaving.compareAndSet(false, true)) {
			logger.info("Standby worker " + this.id + " leaves: " + reason);
			this.end.halt(JvmEnd.STANDBY_LEFT);
		}
	}

	/**
	 * The master is gone, or its channel closed: this worker exits, and halts if closing
	 * takes longer than a grace period.
	 */
	void masterGone() {
		if (this.leftCleanly || !this.orphaned.compareAndSet(false, true)) {
			return;
		}
		// Whatever this worker was doing, leaving included, it ends within the grace period
		this.end.haltAfter(ORPHAN_GRACE, JvmEnd.ORPHANED);
		if (!this.leaving.compareAndSet(false, true)) {
			return;
		}
		long masterPid = this.masterPid;
		if (masterPid > 0 && ProcessHandle.of(masterPid).map(ProcessHandle::isAlive).orElse(false)) {
			// The master closed the channel (a frame it refused, say) and lives on: its
			// directory is its own, and it replaces this worker
			logger.error("The channel to the master (pid " + masterPid + ") closed: worker " + this.id
					+ " exits, and the master replaces it");
		}
		else {
			logger.error("The master (pid " + masterPid + ") is gone: worker " + this.id + " exits");
			// The master could not remove its channel's directory; whoever notices first does
			ChannelAddress.delete(this.socket);
		}
		this.end.exit(JvmEnd.ORPHANED);
	}

}
