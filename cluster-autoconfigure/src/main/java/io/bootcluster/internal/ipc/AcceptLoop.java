package io.bootcluster.internal.ipc;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Accepts the channel's connections until the socket closes. A shortage (no file
 * descriptor left for a new connection, no thread for its reader in a container whose
 * pids are capped) is the master's own, and passes: the loop waits, longer each time up to
 * a second, and goes on, logging a streak of failures once rather than at full speed.
 * Runs on its one thread.
 */
final class AcceptLoop implements Runnable {

	private static final Log logger = LogFactory.getLog(AcceptLoop.class);

	static final Duration FIRST_PAUSE = Duration.ofMillis(10);

	static final Duration LONGEST_PAUSE = Duration.ofSeconds(1);

	/**
	 * Where connections come from.
	 */
	interface Source {

		SocketChannel accept() throws IOException;

		boolean isOpen();

	}

	/**
	 * How the loop waits after a failure.
	 */
	interface Pause {

		void sleep(Duration duration) throws InterruptedException;

	}

	private final Source source;

	private final Consumer<SocketChannel> serve;

	private final Pause pause;

	private int failuresInRow;

	AcceptLoop(Source source, Consumer<SocketChannel> serve, Pause pause) {
		this.source = source;
		this.serve = serve;
		this.pause = pause;
	}

	@Override
	public void run() {
		while (this.source.isOpen()) {
			SocketChannel channel;
			try {
				channel = this.source.accept();
			}
			catch (ClosedChannelException ex) {
				return;
			}
			catch (IOException ex) {
				failed("accept a connection", ex);
				continue;
			}
			try {
				this.serve.accept(channel);
				recovered();
			}
			catch (Throwable ex) {
				// An Error from Thread.start is a shortage like any other: the connection is
				// closed, and its worker retries or is replaced
				close(channel);
				failed("start a reader for a connection", ex);
			}
		}
	}

	private void failed(String action, Throwable failure) {
		this.failuresInRow++;
		if (this.failuresInRow == 1) {
			logger.warn("The channel could not " + action + ": " + failure + ". Retrying, at most every "
					+ LONGEST_PAUSE.toMillis() + " ms, until it can");
		}
		long millis = Math.min(LONGEST_PAUSE.toMillis(), FIRST_PAUSE.toMillis() << Math.min(this.failuresInRow - 1, 10));
		try {
			this.pause.sleep(Duration.ofMillis(millis));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void recovered() {
		if (this.failuresInRow > 0) {
			logger.info("The channel accepts connections again, after " + this.failuresInRow + " failures in a row");
			this.failuresInRow = 0;
		}
	}

	private static void close(SocketChannel channel) {
		try {
			channel.close();
		}
		catch (IOException ex) {
			// Already failing: nothing more to do with it
		}
	}

}
