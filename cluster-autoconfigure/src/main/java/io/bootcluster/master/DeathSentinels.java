package io.bootcluster.master;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.bootcluster.internal.ipc.Action;
import io.bootcluster.internal.ipc.Connection;
import io.bootcluster.internal.ipc.DaemonThreads;
import io.bootcluster.internal.ipc.FrameCodec;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Learns of a serving worker's death within milliseconds of its SIGKILL, so that a standby
 * takes over at once. The kernel frees a killed JVM's memory before it closes its
 * descriptors: the worker's channel reaches its end 15 to 80 ms after the signal, more the
 * larger the heap. Each watched worker runs a death sentinel (the worker's
 * {@code DeathSentinel}), a small process that the kernel kills as soon as the JVM's thread
 * that started it ends, and that holds the only writing end of a FIFO the master reads. Its end of
 * file says that the worker is dying if the worker's process is exiting by then (its main
 * thread gone): anything else, a sentinel killed on its own say, is logged and changes
 * nothing, and the channel's end still tells.
 * <p>
 * The FIFO is made in the master's private channel directory. The master holds a writing
 * end of its own until the worker says that its sentinel runs, so that neither side's open
 * waits for the other's, and then removes the FIFO's name. Watched only where the cluster
 * keeps standbys: a replacement forked after a crash takes seconds to serve, whatever the
 * moment it is forked.
 * <p>
 * The watches are owned by the supervisor's loop; each FIFO is read by a thread of its own,
 * which hands the end to the loop.
 */
final class DeathSentinels {

	private static final Log logger = LogFactory.getLog(DeathSentinels.class);

	private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);

	private final Loop loop;

	private final @Nullable Path directory;

	private final MasterRequests requests;

	private final Consumer<WorkerProcess> dying;

	private final Map<WorkerProcess, Watch> watches = new HashMap<>();

	/**
	 * Creates the sentinels of a cluster.
	 * @param loop the supervisor's loop
	 * @param directory the master's private directory, or {@code null} to watch no worker
	 * @param requests asks a worker to start its sentinel
	 * @param dying told, on the loop, of a watched worker that is dying
	 */
	DeathSentinels(Loop loop, @Nullable Path directory, MasterRequests requests, Consumer<WorkerProcess> dying) {
		this.loop = loop;
		this.directory = directory;
		this.requests = requests;
		this.dying = dying;
	}

	/**
	 * Watches a worker that serves, once.
	 * @param worker the worker
	 */
	void watch(WorkerProcess worker) {
		Connection connection = worker.connection();
		if (this.directory == null || connection == null || this.watches.containsKey(worker)) {
			return;
		}
		Watch watch = new Watch(worker, this.directory.resolve("sentinel-" + worker.id));
		this.watches.put(worker, watch);
		DaemonThreads.start("cluster-death-watch-" + worker.id, () -> watch.run(connection));
	}

	/**
	 * Stops watching a worker that is gone.
	 * @param worker the worker
	 */
	void forget(WorkerProcess worker) {
		Watch watch = this.watches.remove(worker);
		if (watch != null) {
			watch.close();
		}
	}

	private void ended(Watch watch, String output) {
		WorkerProcess worker = watch.worker;
		if (this.watches.remove(worker) != watch) {
			return;
		}
		watch.close();
		if (worker.life.isLeaving()) {
			return;
		}
		if (worker.handle.isExiting()) {
			logger.info("Worker " + worker.id + " (pid " + worker.handle.pid() + ") is dying: its death sentinel ended");
			this.dying.accept(worker);
		}
		else {
			logger.warn("The death sentinel of " + worker + " ended while it runs"
					+ (output.isBlank() ? "" : " (" + output.strip() + ")")
					+ ": its death is learned from its channel instead");
		}
	}

	// One worker's FIFO: made, opened, read to its end on the watch's thread; closed from
	// the loop when the worker is gone
	private final class Watch {

		private final WorkerProcess worker;

		private final Path fifo;

		// Set once opened, closed by whichever thread ends the watch: under the watch's lock
		private @Nullable FileChannel reader;

		private @Nullable FileChannel keeper;

		private volatile boolean closed;

		Watch(WorkerProcess worker, Path fifo) {
			this.worker = worker;
			this.fifo = fifo;
		}

		void run(Connection connection) {
			try {
				makeFifo();
				// Read and write: an open that waits for no reader; then the reader's open
				// waits for no writer
				if (!opened(FileChannel.open(this.fifo, StandardOpenOption.READ, StandardOpenOption.WRITE))
						|| !opened(FileChannel.open(this.fifo, StandardOpenOption.READ))) {
					return;
				}
				JsonNode body = FrameCodec.mapper().createObjectNode().put("fifo", this.fifo.toString());
				DeathSentinels.this.loop.execute(() -> DeathSentinels.this.requests
					.ask(connection, Action.WATCH_DEATH, body, ANSWER_TIMEOUT)
					.whenComplete((answer, failure) -> started(failure)));
				String output = readToEnd();
				if (!this.closed) {
					DeathSentinels.this.loop.execute(() -> ended(this, output));
				}
			}
			catch (IOException | InterruptedException ex) {
				none(ex);
			}
		}

		private void makeFifo() throws IOException, InterruptedException {
			Process mkfifo = new ProcessBuilder("mkfifo", "-m", "600", this.fifo.toString()).redirectErrorStream(true)
				.start();
			if (!mkfifo.waitFor(10, TimeUnit.SECONDS) || mkfifo.exitValue() != 0) {
				mkfifo.destroyForcibly();
				throw new IOException("mkfifo failed: "
						+ new String(mkfifo.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
			}
		}

		// The worker's sentinel runs and holds its writing end, or it could not start
		private void started(@Nullable Throwable failure) {
			if (failure != null) {
				none(failure);
				return;
			}
			synchronized (this) {
				closeQuietly(this.keeper);
			}
			deleteFifo();
		}

		// The worker runs without a sentinel: said unless the watch ended first
		private void none(Throwable why) {
			if (!this.closed) {
				logger.info("No death sentinel for " + this.worker + " (" + why.getMessage()
						+ "): its death is learned from its channel");
			}
			close();
		}

		// The keeper, then the reader: each is closed with the watch from then on
		private synchronized boolean opened(FileChannel channel) {
			if (this.keeper == null) {
				this.keeper = channel;
			}
			else {
				this.reader = channel;
			}
			if (this.closed) {
				close();
			}
			return !this.closed;
		}

		private String readToEnd() throws IOException {
			FileChannel channel;
			synchronized (this) {
				channel = this.reader;
			}
			StringBuilder output = new StringBuilder();
			ByteBuffer buffer = ByteBuffer.allocate(512);
			try {
				while (channel != null && channel.read(buffer.clear()) >= 0) {
					output.append(StandardCharsets.UTF_8.decode(buffer.flip()));
				}
			}
			catch (ClosedChannelException ex) {
				// Closed from the loop: the worker is gone
			}
			return output.toString();
		}

		// The name first: a worker that opens the FIFO late then makes a file of its own,
		// which it refuses, rather than wait on a FIFO nobody reads
		synchronized void close() {
			this.closed = true;
			deleteFifo();
			closeQuietly(this.keeper);
			closeQuietly(this.reader);
		}

		private void deleteFifo() {
			try {
				Files.deleteIfExists(this.fifo);
			}
			catch (IOException ex) {
				// The channel's directory goes with the master
			}
		}

	}

	private static void closeQuietly(@Nullable FileChannel channel) {
		try {
			if (channel != null) {
				channel.close();
			}
		}
		catch (IOException ex) {
			// Nothing to do
		}
	}

}
