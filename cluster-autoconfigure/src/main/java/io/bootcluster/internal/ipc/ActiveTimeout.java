package io.bootcluster.internal.ipc;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A timeout that counts only the time this process ran. After the process was stopped
 * (Ctrl-Z, {@code docker pause}, SIGSTOP) the clock has moved on: a plain timer fires as
 * soon as the process runs again, before a peer that was stopped too could answer. This
 * one looks every 100 ms, and a gap of over a second between two looks is a pause, which
 * does not count. Its state belongs to the one thread that looks.
 */
public final class ActiveTimeout implements Runnable {

	private static final Duration TICK = Duration.ofMillis(100);

	private static final Duration PAUSE = Duration.ofSeconds(1);

	private static final ScheduledExecutorService TICKS = Executors
		.newSingleThreadScheduledExecutor(DaemonThreads.factory("cluster-timeouts"));

	private final long timeout;

	private final Runnable onTimeout;

	private long lastLook = System.nanoTime();

	private long counted;

	private volatile ScheduledFuture<?> ticks;

	private ActiveTimeout(Duration timeout, Runnable onTimeout) {
		this.timeout = timeout.toNanos();
		this.onTimeout = onTimeout;
	}

	/**
	 * Starts a timeout.
	 * @param timeout how long the process may run before it fires
	 * @param onTimeout what to do then, on the timeouts' thread
	 * @return the timeout, to cancel
	 */
	public static ActiveTimeout start(Duration timeout, Runnable onTimeout) {
		ActiveTimeout active = new ActiveTimeout(timeout, onTimeout);
		active.ticks = TICKS.scheduleAtFixedRate(active, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
		return active;
	}

	@Override
	public void run() {
		long now = System.nanoTime();
		long gap = now - this.lastLook;
		this.lastLook = now;
		if (gap < PAUSE.toNanos()) {
			this.counted += gap;
		}
		if (this.counted >= this.timeout) {
			cancel();
			this.onTimeout.run();
		}
	}

	/**
	 * Cancels the timeout, which then never fires.
	 */
	public void cancel() {
		ScheduledFuture<?> ticks = this.ticks;
		if (ticks != null) {
			ticks.cancel(false);
		}
	}

}
