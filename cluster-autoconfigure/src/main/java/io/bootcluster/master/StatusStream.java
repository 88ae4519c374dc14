package io.bootcluster.master;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import io.bootcluster.internal.ipc.DaemonThreads;
import io.bootcluster.internal.ipc.FrameCodec;
import org.jspecify.annotations.Nullable;

/**
 * The cluster's status as Server-Sent Events, for the live page: while anyone watches, a
 * ticker takes the status from the supervisor once a second and hands it to every
 * subscriber. Each subscriber is written by a thread of its own, so a client that stops
 * reading holds up only itself, and a few at most are served at once. The latest status
 * and the ticker are guarded by the instance's lock.
 */
final class StatusStream {

	/** How many pages may watch at once. */
	static final int MAX_SUBSCRIBERS = 8;

	private static final Duration TICK = Duration.ofSeconds(1);

	// A comment line now and then: a proxy or a browser closes a stream that stays silent
	private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

	private final Supervisor supervisor;

	private final boolean writable;

	private final Semaphore subscribers = new Semaphore(MAX_SUBSCRIBERS);

	private final ScheduledExecutorService ticks = Executors
		.newSingleThreadScheduledExecutor(DaemonThreads.factory("cluster-status-stream"));

	private int watching;

	private @Nullable ScheduledFuture<?> ticker;

	private long version;

	private byte @Nullable [] latest;

	StatusStream(Supervisor supervisor, boolean writable) {
		this.supervisor = supervisor;
		this.writable = writable;
	}

	/**
	 * Streams the status to a client until it goes away.
	 * @param exchange the client's request, answered here
	 * @throws IOException if the answer cannot be sent
	 */
	void subscribe(HttpExchange exchange) throws IOException {
		if (!this.subscribers.tryAcquire()) {
			exchange.sendResponseHeaders(503, -1);
			exchange.close();
			return;
		}
		try {
			exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
			exchange.getResponseHeaders().set("Cache-Control", "no-store");
			exchange.sendResponseHeaders(200, 0);
			DaemonThreads.start("cluster-status-subscriber", () -> write(exchange));
		}
		catch (IOException | RuntimeException | Error ex) {
			this.subscribers.release();
			exchange.close();
			throw ex;
		}
	}

	private void write(HttpExchange exchange) {
		long seen = -1;
		// Watched from the thread that writes, so that a thread that never started leaves
		// no ticker behind
		watch();
		try (OutputStream out = exchange.getResponseBody()) {
			while (true) {
				byte[] status;
				synchronized (this) {
					long waitUntil = System.nanoTime() + KEEP_ALIVE.toNanos();
					while (this.version == seen && System.nanoTime() < waitUntil) {
						TimeUnit.NANOSECONDS.timedWait(this, waitUntil - System.nanoTime());
					}
					status = (this.version != seen) ? this.latest : null;
					seen = this.version;
				}
				if (status != null) {
					out.write("event: status\ndata: ".getBytes(StandardCharsets.UTF_8));
					out.write(status);
					out.write("\n\n".getBytes(StandardCharsets.UTF_8));
				}
				else {
					out.write(":\n\n".getBytes(StandardCharsets.UTF_8));
				}
				out.flush();
			}
		}
		catch (IOException ex) {
			// The page went away
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			exchange.close();
			unwatch();
			this.subscribers.release();
		}
	}

	private synchronized void watch() {
		if (this.watching++ == 0) {
			this.ticker = this.ticks.scheduleAtFixedRate(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	private synchronized void unwatch() {
		if (--this.watching == 0 && this.ticker != null) {
			this.ticker.cancel(false);
			this.ticker = null;
		}
	}

	private void tick() {
		byte[] status;
		try {
			status = FrameCodec.mapper()
				.writeValueAsBytes(FrameCodec.mapper()
					.createObjectNode()
					.put("writable", this.writable)
					.set("status", FrameCodec.mapper().valueToTree(this.supervisor.call(this.supervisor::status))));
		}
		catch (RuntimeException ex) {
			// The master is stopping: the pages see the stream end
			return;
		}
		synchronized (this) {
			this.latest = status;
			this.version++;
			notifyAll();
		}
	}

	/**
	 * Ends every stream's ticker.
	 */
	void stop() {
		this.ticks.shutdownNow();
	}

}
