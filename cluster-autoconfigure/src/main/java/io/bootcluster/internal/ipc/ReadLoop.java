package io.bootcluster.internal.ipc;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Reads a connection's messages, on one thread at a time, and lets that thread run work
 * itself, such as the listeners a message is for, rather than hand it to another thread:
 * on a machine of few cores, waking a thread costs more than the work. The connection is
 * never left unread behind slow work: once the work took longer than
 * {@link #TAKEOVER_AFTER}, a watchdog starts a new thread that reads on, and the thread
 * that did the work ends when it is done. So a listener may ask the worker whose message
 * it runs for and wait for the answer: it waits {@link #TAKEOVER_AFTER} longer, once.
 * <p>
 * Who reads is decided by one compare-and-set on {@link #awaySince}: the thread that
 * stepped aside coming back, or the watchdog taking over, whichever comes first.
 */
public final class ReadLoop {

	private static final Log logger = LogFactory.getLog(ReadLoop.class);

	/** How long work may keep a connection unread before another thread reads on. */
	static final Duration TAKEOVER_AFTER = Duration.ofMillis(10);

	private static final long READING = 0;

	private static final ThreadLocal<ReadLoop> current = new ThreadLocal<>();

	private static final Watchdog watchdog = new Watchdog();

	private final Connection connection;

	private final String peer;

	private final Consumer<Message> handler;

	private final Consumer<@Nullable IOException> ended;

	// The reading thread's name, which a thread that reads on takes too
	private volatile String threadName = "cluster-ipc-reader";

	// READING, or when the reading thread stepped aside (never READING itself)
	private final AtomicLong awaySince = new AtomicLong(READING);

	/**
	 * Creates the loop of a connection.
	 * @param connection the connection
	 * @param peer who is at the other end, for log lines
	 * @param handler what to do with each message, in the order they were sent
	 * @param ended what to do once the connection ended, with the failure that ended it
	 * ({@link FrameException} when the peer broke the protocol), or {@code null} when the
	 * peer closed it
	 */
	public ReadLoop(Connection connection, String peer, Consumer<Message> handler,
			Consumer<@Nullable IOException> ended) {
		this.connection = connection;
		this.peer = peer;
		this.handler = handler;
		this.ended = ended;
	}

	/**
	 * Reads on the calling thread until the connection ends, or another thread took the
	 * reading over. Whichever thread reads last closes the connection and reports its end.
	 */
	public void run() {
		current.set(this);
		this.threadName = Thread.currentThread().getName();
		IOException failure = null;
		try {
			Message message;
			while ((message = this.connection.receive()) != null) {
				this.handler.accept(message);
				if (current.get() != this) {
					return;
				}
			}
		}
		catch (FrameException ex) {
			logger.warn("Closing the channel of " + this.peer + ": " + ex.getMessage());
			failure = ex;
		}
		catch (IOException ex) {
			failure = ex;
		}
		catch (RuntimeException ex) {
			logger.error("Closing the channel of " + this.peer + " after an unexpected failure", ex);
		}
		finally {
			if (current.get() == this) {
				current.remove();
				this.connection.close();
				this.ended.accept(failure);
			}
		}
	}

	/**
	 * Whether the calling thread reads a connection that another thread may read on while
	 * it {@link #stepAside steps aside}.
	 * @return whether it does
	 */
	public static boolean isReading() {
		return current.get() != null;
	}

	/**
	 * Runs work on the calling thread, if it reads a connection that another thread may
	 * read on meanwhile.
	 * @param work the work
	 * @return whether the work ran; {@code false} on any other thread, which should hand
	 * the work to a thread of its own instead
	 */
	public static boolean stepAside(Runnable work) {
		ReadLoop loop = current.get();
		if (loop == null) {
			return false;
		}
		long since = System.nanoTime();
		if (since == READING) {
			since++;
		}
		loop.awaySince.set(since);
		Away away = new Away(loop, since);
		watchdog.watch(away);
		try {
			work.run();
		}
		finally {
			watchdog.unwatch(away);
			if (!loop.awaySince.compareAndSet(since, READING)) {
				// Another thread reads on: this one ends its loop when the work returns
				current.remove();
			}
		}
		return true;
	}

	/**
	 * A reading thread's time aside: what the watchdog watches, one per step, so that the
	 * step of a thread that reads on is not mistaken for the one before it.
	 *
	 * @param loop the loop whose thread stepped aside
	 * @param since when, on {@link System#nanoTime()}'s clock
	 */
	private record Away(ReadLoop loop, long since) {

		// On the watchdog's thread: the compare-and-set against the thread coming back
		void takeOverIfSlow(long now) {
			if (now - this.since >= TAKEOVER_AFTER.toNanos()
					&& this.loop.awaySince.compareAndSet(this.since, READING)) {
				DaemonThreads.start(this.loop.threadName, this.loop::run);
			}
		}

	}

	/**
	 * Watches the loops whose thread stepped aside, while any does: one thread for all of
	 * them, which checks every few milliseconds while loops step aside, and sleeps once
	 * they have not for a second.
	 */
	private static final class Watchdog {

		private static final long TICK_NANOS = TAKEOVER_AFTER.toNanos() / 2;

		private static final int IDLE_TICKS = 200;

		private final Set<Away> away = ConcurrentHashMap.newKeySet();

		private final AtomicLong steps = new AtomicLong();

		private volatile boolean sleeping = true;

		private volatile @Nullable Thread thread;

		void watch(Away step) {
			this.away.add(step);
			this.steps.incrementAndGet();
			if (this.sleeping) {
				wake();
			}
		}

		void unwatch(Away step) {
			this.away.remove(step);
		}

		private synchronized void wake() {
			if (this.thread == null) {
				this.thread = DaemonThreads.start("cluster-ipc-watchdog", this::patrol);
			}
			this.sleeping = false;
			LockSupport.unpark(this.thread);
		}

		private void patrol() {
			long seen = -1;
			int idle = 0;
			while (true) {
				if (this.sleeping) {
					LockSupport.park(this);
					continue;
				}
				LockSupport.parkNanos(this, TICK_NANOS);
				long now = System.nanoTime();
				this.away.forEach((step) -> step.takeOverIfSlow(now));
				long steps = this.steps.get();
				idle = (steps == seen && this.away.isEmpty()) ? idle + 1 : 0;
				seen = steps;
				if (idle >= IDLE_TICKS) {
					this.sleeping = true;
					// A loop that stepped aside just now finds it asleep and wakes it
					if (this.steps.get() != seen) {
						this.sleeping = false;
					}
					idle = 0;
				}
			}
		}

	}

}
