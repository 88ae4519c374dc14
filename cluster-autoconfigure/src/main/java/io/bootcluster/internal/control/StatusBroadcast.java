package io.bootcluster.internal.control;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.bootcluster.internal.ipc.DaemonThreads;
import org.jspecify.annotations.Nullable;

/**
 * The cluster's status for the live pages that watch it: while anyone watches, a ticker
 * takes the status once a second and hands it to every subscriber. Each subscriber is
 * written by a thread of its own, so a page that stops reading holds up only itself, and
 * a few at most are served at once. The latest status, the ticker and the subscribers'
 * threads are guarded by the instance's lock.
 * <p>
 * Shared by the master's page and the workers' pages, which differ only in where the
 * status comes from and how an event is written.
 */
public final class StatusBroadcast {

	/** How many pages may watch at once. */
	public static final int MAX_SUBSCRIBERS = 8;

	private static final Duration TICK = Duration.ofSeconds(1);

	// Nothing new for this long: a comment line, as a proxy or a browser closes a stream
	// that stays silent
	private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

	/**
	 * How long one stream lives at most; the page then reconnects. The writer ends it, so
	 * that no server's request timeout has to.
	 */
	public static final Duration MAX_AGE = Duration.ofMinutes(10);

	private final Supplier<byte @Nullable []> source;

	private final String name;

	private final Semaphore slots = new Semaphore(MAX_SUBSCRIBERS);

	private final ScheduledExecutorService ticks;

	private final Set<Thread> writers = new HashSet<>();

	private boolean stopped;

	private @Nullable ScheduledFuture<?> ticker;

	private long version;

	private byte @Nullable [] latest;

	/**
	 * A broadcast of what the source gives.
	 * @param source the status, as the JSON of one event, or {@code null} when it cannot
	 * be had now (the pages keep what they have)
	 * @param name names the threads
	 */
	public StatusBroadcast(Supplier<byte @Nullable []> source, String name) {
		this.source = source;
		this.name = name;
		this.ticks = Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory(name));
	}

	/**
	 * Takes a subscriber's place, if one is free.
	 * @return the place, to be started or cancelled, or {@code null} when as many pages as
	 * allowed watch already (or the broadcast has stopped)
	 */
	public @Nullable Subscription reserve() {
		synchronized (this) {
			if (this.stopped) {
				return null;
			}
		}
		return this.slots.tryAcquire() ? new Subscription() : null;
	}

	/**
	 * Ends every subscriber's stream and the ticker, for good.
	 */
	public void stop() {
		synchronized (this) {
			this.stopped = true;
			this.writers.forEach(Thread::interrupt);
		}
		this.ticks.shutdownNow();
	}

	private void write(Subscriber subscriber) {
		long seen = -1;
		long endAt = System.nanoTime() + MAX_AGE.toNanos();
		watch();
		try {
			while (true) {
				byte[] status;
				synchronized (this) {
					long waitUntil = System.nanoTime() + KEEP_ALIVE.toNanos();
					while (this.version == seen && !this.stopped && System.nanoTime() < waitUntil) {
						TimeUnit.NANOSECONDS.timedWait(this, waitUntil - System.nanoTime());
					}
					if (this.stopped || System.nanoTime() - endAt > 0) {
						return;
					}
					status = (this.version != seen) ? this.latest : null;
					seen = this.version;
				}
				subscriber.send(status);
			}
		}
		catch (IOException | RuntimeException ex) {
			// The page went away
		}
		catch (InterruptedException ex) {
			// Cancelled or stopped
		}
		finally {
			unwatch();
			this.slots.release();
			end(subscriber);
		}
	}

	// A page whose response is already gone may refuse even its end: nothing to do then
	private static void end(Subscriber subscriber) {
		try {
			subscriber.end();
		}
		catch (RuntimeException ex) {
			// Ended already
		}
	}

	private synchronized void watch() {
		this.writers.add(Thread.currentThread());
		if (this.writers.size() == 1 && !this.stopped) {
			this.ticker = this.ticks.scheduleAtFixedRate(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	private synchronized void unwatch() {
		this.writers.remove(Thread.currentThread());
		if (this.writers.isEmpty() && this.ticker != null) {
			this.ticker.cancel(false);
			this.ticker = null;
			// Not shown to the next page: it would take it for the latest, a tick before the
			// fresh one, and count the requests between them as made in a moment
			this.latest = null;
		}
	}

	private void tick() {
		byte[] status;
		try {
			status = this.source.get();
		}
		catch (RuntimeException ex) {
			return;
		}
		if (status != null) {
			synchronized (this) {
				this.latest = status;
				this.version++;
				notifyAll();
			}
		}
	}

	/**
	 * Writes events to one page.
	 */
	public interface Subscriber {

		/**
		 * Writes one event, or a keep-alive comment.
		 * @param status the status event's JSON, or {@code null} for a comment
		 * @throws IOException if the page went away
		 */
		void send(byte @Nullable [] status) throws IOException;

		/**
		 * Ends the page's stream, whatever ended it: on the subscriber's thread, or on the
		 * caller's when the stream never started.
		 */
		void end();

	}

	/**
	 * One page's place among the subscribers.
	 */
	public final class Subscription {

		private @Nullable Thread writer;

		private boolean done;

		private Subscription() {
		}

		/**
		 * Starts writing to the page, on a thread of its own.
		 * @param subscriber writes the events
		 */
		public synchronized void start(Subscriber subscriber) {
			if (this.done) {
				end(subscriber);
				return;
			}
			this.done = true;
			try {
				this.writer = DaemonThreads.start(StatusBroadcast.this.name + "-subscriber",
						() -> write(subscriber));
			}
			catch (RuntimeException | Error ex) {
				StatusBroadcast.this.slots.release();
				end(subscriber);
				throw ex;
			}
		}

		/**
		 * Ends the page's stream, or gives the place back if it never started.
		 */
		public synchronized void cancel() {
			if (this.writer != null) {
				this.writer.interrupt();
			}
			else if (!this.done) {
				this.done = true;
				StatusBroadcast.this.slots.release();
			}
		}

	}

}
