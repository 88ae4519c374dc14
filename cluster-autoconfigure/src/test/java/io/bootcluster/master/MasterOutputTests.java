package io.bootcluster.master;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MasterOutputTests {

	@Test
	void writerNeverWaitsOnAStalledReaderAndDroppedLinesAreReported() throws Exception {
		CountDownLatch reading = new CountDownLatch(1);
		ByteArrayOutputStream written = new ByteArrayOutputStream();
		OutputStream stalled = new OutputStream() {

			@Override
			public void write(int b) {
				write(new byte[] { (byte) b }, 0, 1);
			}

			@Override
			public synchronized void write(byte[] bytes, int offset, int length) {
				try {
					reading.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				written.write(bytes, offset, length);
			}

		};
		MasterOutput output = new MasterOutput(stalled, "test-output");
		PrintStream out = new PrintStream(output, true);
		String line = "y".repeat(1023);
		long started = System.nanoTime();
		int lines = 2 * MasterOutput.BUDGET / 1024;
		for (int i = 0; i < lines; i++) {
			out.println(line);
		}
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
		assertThat(output.dropped()).isGreaterThan(lines / 3);
		reading.countDown();
		// Once what waited is written, the next line gets through, after the notice
		output.drain(Duration.ofSeconds(10));
		out.println("after the stall");
		output.drain(Duration.ofSeconds(10));
		String text = written.toString(StandardCharsets.UTF_8);
		assertThat(text).contains("lines of output were dropped").endsWith("after the stall\n");
		assertThat(text.lines().filter(line::equals).count()).isLessThan(lines);
	}

	@Test
	void lineWithoutAnEndIsSplitPastTheLimit() throws Exception {
		ByteArrayOutputStream written = new ByteArrayOutputStream();
		MasterOutput output = new MasterOutput(written, "test-output");
		output.write(new byte[OutputPump.MAX_LINE + 10], 0, OutputPump.MAX_LINE + 10);
		output.write('\n');
		output.drain(Duration.ofSeconds(5));
		TimeUnit.MILLISECONDS.sleep(50);
		assertThat(written.toString(StandardCharsets.UTF_8).lines()).hasSize(2);
	}

}
