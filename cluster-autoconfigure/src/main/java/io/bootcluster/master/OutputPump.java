package io.bootcluster.master;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;

import io.bootcluster.internal.ipc.DaemonThreads;

/**
 * Copies a worker's output to the master's, line by line, each line marked with the
 * worker's id as {@link WorkerOutput} says, so the cluster's output reads as one stream.
 * Works on bytes, not characters, so no charset can garble a line on the way through.
 * Runs on a thread of its own per stream; lines of different workers never interleave.
 */
final class OutputPump implements Runnable {

	/** The longest line passed on whole; a longer one is split. */
	static final int MAX_LINE = 64 * 1024;

	private final InputStream input;

	private final PrintStream output;

	private final WorkerOutput format;

	private final int workerId;

	private final boolean error;

	private final ByteArrayOutputStream formatted = new ByteArrayOutputStream(512);

	private OutputPump(InputStream input, PrintStream output, WorkerOutput format, int workerId, boolean error) {
		this.input = input;
		this.output = output;
		this.format = format;
		this.workerId = workerId;
		this.error = error;
	}

	static Thread start(InputStream input, PrintStream output, WorkerOutput format, int workerId, boolean error) {
		return DaemonThreads.start("cluster-output-" + workerId,
				new OutputPump(input, output, format, workerId, error));
	}

	@Override
	public void run() {
		ByteArrayOutputStream line = new ByteArrayOutputStream(256);
		try (InputStream in = this.input) {
			byte[] buffer = new byte[8192];
			int read;
			while ((read = in.read(buffer)) != -1) {
				// Whole slices, not byte by byte: this runs while the workers start, mostly
				// before the JIT compiles it
				int start = 0;
				for (int i = 0; i < read; i++) {
					if (buffer[i] == '\n') {
						line.write(buffer, start, i + 1 - start);
						emit(line);
						start = i + 1;
					}
				}
				line.write(buffer, start, read - start);
				if (line.size() >= MAX_LINE) {
					// A line without an end is not held without bound: it goes on in pieces
					line.write('\n');
					emit(line);
				}
			}
		}
		catch (IOException ex) {
			// The worker is gone; print what it left
		}
		if (line.size() > 0) {
			line.write('\n');
			emit(line);
		}
	}

	private void emit(ByteArrayOutputStream line) {
		this.format.write(this.workerId, this.error, line.toByteArray(), line.size(), this.formatted);
		synchronized (this.output) {
			this.output.write(this.formatted.toByteArray(), 0, this.formatted.size());
			this.output.flush();
		}
		this.formatted.reset();
		line.reset();
	}

}
