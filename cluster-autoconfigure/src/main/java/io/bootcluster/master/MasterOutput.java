package io.bootcluster.master;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.bootcluster.internal.ipc.DaemonThreads;

/**
 * The master's standard output or error, written by a thread of its own. Whoever reads
 * the master's output (a terminal, a pipe to a log shipper, a container runtime) may
 * stall; a write to a full pipe would then block the thread that logs, the supervisor's
 * loop included, and through the output pumps every worker's logging. Here a line is
 * queued and the caller goes on; the writer waits on the reader. Past a budget of queued
 * bytes, lines are dropped, counted, and reported once output flows again. The line being
 * assembled belongs to whoever holds the {@link PrintStream}'s lock; the queue is
 * thread-safe.
 */
final class MasterOutput extends OutputStream {

	/** Bytes that may wait for a reader of the master's output. */
	static final int BUDGET = 8 * 1024 * 1024;

	private static final Duration DRAIN_AT_EXIT = Duration.ofSeconds(2);

	private final OutputStream target;

	private final BlockingQueue<byte[]> lines = new LinkedBlockingQueue<>();

	private final Object budgetLock = new Object();

	// Guarded by budgetLock
	private long queuedBytes;

	// Guarded by budgetLock
	private long dropped;

	private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

	MasterOutput(OutputStream target, String name) {
		this.target = target;
		DaemonThreads.start(name, this::writeQueued);
	}

	/**
	 * Puts the master's standard output and error behind writer threads of their own.
	 */
	static void install() {
		MasterOutput out = new MasterOutput(new FileOutputStream(FileDescriptor.out), "cluster-stdout");
		MasterOutput err = new MasterOutput(new FileOutputStream(FileDescriptor.err), "cluster-stderr");
		System.setOut(new PrintStream(out, true));
		System.setErr(new PrintStream(err, true));
		// The last lines (the cluster stopped, the exit code) are written before the JVM ends
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			out.drain(DRAIN_AT_EXIT);
			err.drain(DRAIN_AT_EXIT);
		}, "cluster-output-drain"));
	}

	@Override
	public void write(int b) {
		this.line.write(b);
		if (b == '\n') {
			queueLine();
		}
	}

	@Override
	public void write(byte[] bytes, int offset, int length) {
		int start = offset;
		for (int i = offset; i < offset + length; i++) {
			if (bytes[i] == '\n') {
				this.line.write(bytes, start, i + 1 - start);
				queueLine();
				start = i + 1;
			}
		}
		this.line.write(bytes, start, offset + length - start);
		if (this.line.size() >= OutputPump.MAX_LINE) {
			this.line.write('\n');
			queueLine();
		}
	}

	private void queueLine() {
		byte[] bytes = this.line.toByteArray();
		this.line.reset();
		synchronized (this.budgetLock) {
			if (this.queuedBytes + bytes.length > BUDGET) {
				this.dropped++;
				return;
			}
			this.queuedBytes += bytes.length;
		}
		this.lines.add(bytes);
	}

	private void writeQueued() {
		try {
			while (true) {
				byte[] next = this.lines.take();
				long lost = takeDropped();
				if (lost > 0) {
					this.target.write(("[cluster] " + lost + " lines of output were dropped: nobody read the "
							+ "master's output while " + BUDGET / (1024 * 1024) + " MB waited\n").getBytes());
				}
				this.target.write(next);
				this.target.flush();
				synchronized (this.budgetLock) {
					this.queuedBytes -= next.length;
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (IOException ex) {
			// Nobody will ever read it: the lines go nowhere, as they would have
		}
	}

	private long takeDropped() {
		synchronized (this.budgetLock) {
			long lost = this.dropped;
			this.dropped = 0;
			return lost;
		}
	}

	/**
	 * Lines dropped since output last flowed.
	 * @return the count
	 */
	long dropped() {
		synchronized (this.budgetLock) {
			return this.dropped;
		}
	}

	// Waits a little for the queue to be written, as the JVM ends
	void drain(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			synchronized (this.budgetLock) {
				if (this.queuedBytes == 0) {
					return;
				}
			}
			try {
				TimeUnit.MILLISECONDS.sleep(10);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

}
