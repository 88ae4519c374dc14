package io.bootcluster.worker;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerDepartureTests {

	@TempDir
	Path directory;

	@Test
	void leavingAndLosingTheMasterAtOnceEndTheJvmOnce() throws Exception {
		for (int attempt = 0; attempt < 200; attempt++) {
			RecordedEnds ends = new RecordedEnds();
			WorkerDeparture departure = departure(ends);
			CyclicBarrier start = new CyclicBarrier(2);
			Thread leaving = new Thread(() -> {
				await(start);
				departure.leave("the master is stopping");
			});
			leaving.start();
			await(start);
			departure.masterGone();
			leaving.join();
			awaitEnds(ends);
			assertThat(ends.ends).filteredOn((end) -> end.startsWith("exit")).hasSize(1);
		}
	}

	@Test
	void workerThatLeftCleanlyIsNotAnOrphan() throws Exception {
		RecordedEnds ends = new RecordedEnds();
		WorkerDeparture departure = departure(ends);
		departure.leave("scaling down");
		awaitEnds(ends);
		departure.masterGone();
		assertThat(ends.ends).containsExactly("exit 0");
	}

	@Test
	void leavingKeepsTheJvmAliveUntilItExitsWhicheverThreadAsked() throws Exception {
		RecordedEnds ends = new RecordedEnds();
		WorkerDeparture departure = departure(ends);
		CompletableFuture<Boolean> closingOnDaemon = new CompletableFuture<>();
		departure.beforeClose((reason) -> closingOnDaemon.complete(Thread.currentThread().isDaemon()));
		// The master's messages are read on a daemon thread, and ask the worker to leave
		Thread reader = new Thread(() -> departure.leave("rolling restart"));
		reader.setDaemon(true);
		reader.start();
		assertThat(closingOnDaemon.get(5, TimeUnit.SECONDS)).isFalse();
		awaitEnds(ends);
		assertThat(ends.ends).containsExactly("exit 0");
	}

	@Test
	void orphanExitsAndHaltsIfClosingTakesTooLong() {
		RecordedEnds ends = new RecordedEnds();
		WorkerDeparture departure = departure(ends);
		departure.masterGone();
		departure.masterGone();
		assertThat(ends.ends).containsExactly("halt 1 after 3s", "exit 1");
	}

	@Test
	void standbyAtItsGateHaltsOnce() {
		RecordedEnds ends = new RecordedEnds();
		WorkerDeparture departure = departure(ends);
		departure.leaveWhileStarting("rolling restart");
		departure.leaveWhileStarting("rolling restart");
		departure.leave("rolling restart");
		assertThat(ends.ends).containsExactly("halt 0");
	}

	private WorkerDeparture departure(RecordedEnds ends) {
		return new WorkerDeparture(1, this.directory.resolve("master.sock"), new MasterLink(1, ends), ends);
	}

	private static void awaitEnds(RecordedEnds ends) throws InterruptedException {
		long deadline = System.nanoTime() + 5_000_000_000L;
		while (ends.ends.stream().noneMatch((end) -> end.startsWith("exit")) && System.nanoTime() < deadline) {
			Thread.sleep(1);
		}
	}

	private static void await(CyclicBarrier barrier) {
		try {
			barrier.await();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
