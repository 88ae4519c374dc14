package io.bootcluster.master;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import io.bootcluster.ipc.DaemonThreads;

/**
 * Copies a worker's output to the master's, line by line, each line prefixed with the
 * worker's id, so the cluster's output reads as one stream. Works on bytes, not
 * characters, so no charset can garble a line on the way through.
 */
final class OutputPump implements Runnable {

	private final InputStream input;

	private final PrintStream output;

	private final byte[] prefix;

	private OutputPump(InputStream input, PrintStream output, String prefix) {
		this.input = input;
		this.output = output;
		this.prefix = prefix.getBytes(StandardCharsets.UTF_8);
	}

	static Thread start(InputStream input, PrintStream output, int workerId) {
		return DaemonThreads.start("cluster-output-" + workerId,
				new OutputPump(input, output, "[worker " + workerId + "] "));
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
		synchronized (this.output) {
			this.output.write(this.prefix, 0, this.prefix.length);
			this.output.write(line.toByteArray(), 0, line.size());
			this.output.flush();
		}
		line.reset();
	}

}
