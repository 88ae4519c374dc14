package io.bootcluster.internal.ipc;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * A worker's further connections to the master, on which a thread that asks reads the
 * answer itself: one thread at a time on each, taken from the idle ones and given back
 * after the answer. At most a few are open; beyond them, and for a while after one could
 * not be opened, {@link #take} gives none, and the caller asks on the main channel.
 * <p>
 * A master that stops answering is noticed by a watchdog thread, once a second, rather
 * than by a timer per request, whose scheduling would wake a thread each time: it closes
 * the connection, and the waiting thread's read fails. Thread-safe: the connections are in
 * concurrent collections, the counts and flags are atomics, and each connection's
 * deadline is decided by compare-and-set.
 */
public final class AttachedPool {

	private static final Log logger = LogFactory.getLog(AttachedPool.class);

	private static final Duration WATCHDOG_INTERVAL = Duration.ofSeconds(1);

	/** How long {@link #take} gives none after a connection could not be attached. */
	private static final Duration ATTACH_BACKOFF = Duration.ofSeconds(10);

	private final String name;

	private final int maxConnections;

	private final Attacher attacher;

	private final ConcurrentLinkedDeque<Lease> idle = new ConcurrentLinkedDeque<>();

	private final Set<Lease> all = ConcurrentHashMap.newKeySet();

	private final AtomicInteger open = new AtomicInteger();

	// Unique in the process, so that no pool of a context made again reuses the ids of one
	// made before
	private static final AtomicLong lastId = new AtomicLong();

	private final AtomicBoolean watching = new AtomicBoolean();

	private volatile long attachFailedAt = System.nanoTime() - ATTACH_BACKOFF.toNanos();

	/**
	 * Creates a pool.
	 * @param name what the connections are for, naming the watchdog's thread
	 * @param maxConnections how many may be open at once
	 * @param attacher opens a connection
	 */
	public AttachedPool(String name, int maxConnections, Attacher attacher) {
		this.name = name;
		this.maxConnections = maxConnections;
		this.attacher = attacher;
	}

	/**
	 * Takes an idle connection, or attaches a new one.
	 * @return the connection, to {@linkplain Lease#giveBack give back}, or {@code null}
	 * when none is free
	 */
	public @Nullable Lease take() {
		Lease lease = this.idle.poll();
		if (lease != null) {
			return lease;
		}
		// After a failed attach, none for a while: no request waits on a handshake that
		// failed a moment ago
		if (System.nanoTime() - this.attachFailedAt < ATTACH_BACKOFF.toNanos()) {
			return null;
		}
		if (this.open.incrementAndGet() > this.maxConnections) {
			this.open.decrementAndGet();
			return null;
		}
		long id = lastId.incrementAndGet();
		try {
			lease = new Lease(id, this.attacher.attach(id));
		}
		catch (IOException | RuntimeException ex) {
			this.open.decrementAndGet();
			this.attachFailedAt = System.nanoTime();
			logger.debug("Asking over the main channel (" + this.name + "): " + ex.getMessage());
			return null;
		}
		this.all.add(lease);
		startWatchdog();
		return lease;
	}

	// Once, for the worker's life: closes what waits past its deadline, whose thread's read
	// or write then fails
	private void startWatchdog() {
		if (!this.watching.compareAndSet(false, true)) {
			return;
		}
		DaemonThreads.start("cluster-" + this.name + "-watchdog", () -> {
			while (true) {
				try {
					Thread.sleep(WATCHDOG_INTERVAL.toMillis());
				}
				catch (InterruptedException ex) {
					return;
				}
				long now = System.nanoTime();
				this.all.forEach((lease) -> lease.expireIfDue(now));
			}
		});
	}

	/**
	 * Opens a connection to the master.
	 */
	@FunctionalInterface
	public interface Attacher {

		/**
		 * Opens a connection.
		 * @param id the connection's id, unique in the process
		 * @return the connection, welcomed
		 * @throws IOException if the master cannot be reached or refuses
		 */
		Connection attach(long id) throws IOException;

	}

	/**
	 * A connection taken from the pool, and when what it waits for is due. The deadline is
	 * taken back by the thread that used the connection, or by the watchdog, whichever
	 * comes first: one compare-and-set decides, so the watchdog never closes a connection
	 * that went back to the idle ones.
	 */
	public final class Lease {

		private static final long IDLE = 0;

		private static final long EXPIRED = Long.MIN_VALUE;

		private final long id;

		private final Connection connection;

		// System.nanoTime() by which the master must answer; IDLE, or EXPIRED once closed
		private final AtomicLong deadline = new AtomicLong(IDLE);

		Lease(long id, Connection connection) {
			this.id = id;
			this.connection = connection;
		}

		/**
		 * The connection's id, as given to the {@link Attacher}: unique in the process.
		 * @return the id
		 */
		public long id() {
			return this.id;
		}

		/**
		 * The connection, for the taking thread alone.
		 * @return the connection
		 */
		public Connection connection() {
			return this.connection;
		}

		/**
		 * Starts a use: the connection closes if the use has not ended by the timeout.
		 * @param timeout how long the master gets
		 */
		public void begin(Duration timeout) {
			this.deadline.set(System.nanoTime() + timeout.toNanos());
		}

		/**
		 * Ends a use.
		 * @return whether it ended before the watchdog expired it
		 */
		public boolean end() {
			long due = this.deadline.get();
			return due != EXPIRED && this.deadline.compareAndSet(due, IDLE);
		}

		/**
		 * Gives the connection back to the idle ones, or closes it for good when it failed
		 * or may hold half an answer.
		 * @param reusable whether it may serve another use
		 */
		public void giveBack(boolean reusable) {
			if (reusable) {
				AttachedPool.this.idle.push(this);
				return;
			}
			this.connection.close();
			if (AttachedPool.this.all.remove(this)) {
				AttachedPool.this.open.decrementAndGet();
			}
		}

		void expireIfDue(long now) {
			long due = this.deadline.get();
			if (due != IDLE && due != EXPIRED && now - due > 0 && this.deadline.compareAndSet(due, EXPIRED)) {
				this.connection.close();
			}
		}

	}

}
