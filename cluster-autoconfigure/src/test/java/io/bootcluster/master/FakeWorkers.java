package io.bootcluster.master;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Workers that start no process: the test decides when each one exits, how much CPU time
 * it has used, and sees what the supervisor did to it.
 */
final class FakeWorkers implements Launcher {

	private final Map<Integer, Handle> launched = new ConcurrentHashMap<>();

	private int failuresToCome;

	@Override
	public WorkerHandle launch(int id, int slot, boolean standby, String heapOption) throws IOException {
		if (this.failuresToCome > 0) {
			this.failuresToCome--;
			throw new IOException("error=11, Resource temporarily unavailable");
		}
		Handle handle = new Handle(id, slot, standby, heapOption);
		this.launched.put(id, handle);
		return handle;
	}

	/**
	 * Makes the next launches fail, as a fork does when the system is out of processes.
	 * @param count how many
	 */
	void failNext(int count) {
		this.failuresToCome = count;
	}

	boolean launched(int id) {
		return this.launched.containsKey(id);
	}

	int count() {
		return this.launched.size();
	}

	Handle get(int id) {
		Handle handle = this.launched.get(id);
		if (handle == null) {
			throw new AssertionError("Worker " + id + " was not launched; launched: " + this.launched.keySet());
		}
		return handle;
	}

	/**
	 * One worker that starts no process.
	 */
	static final class Handle implements WorkerHandle {

		final int id;

		final int slot;

		final boolean standby;

		final String heapOption;

		volatile boolean terminated;

		volatile boolean killed;

		volatile boolean threadDumpRequested;

		int compilersFavoured;

		Duration cpu = Duration.ZERO;

		private Runnable onExit = () -> {
		};

		private Integer exitValue;

		Handle(int id, int slot, boolean standby, String heapOption) {
			this.id = id;
			this.slot = slot;
			this.standby = standby;
			this.heapOption = heapOption;
		}

		@Override
		public long pid() {
			return 10_000 + this.id;
		}

		@Override
		public boolean isAlive() {
			return this.exitValue == null;
		}

		@Override
		public boolean isExiting() {
			return !isAlive();
		}

		@Override
		public void onExit(Runnable action) {
			this.onExit = action;
		}

		@Override
		public int exitValue() {
			if (this.exitValue == null) {
				throw new IllegalStateException("Worker " + this.id + " has not exited");
			}
			return this.exitValue;
		}

		@Override
		public void terminate() {
			this.terminated = true;
		}

		@Override
		public void kill() {
			this.killed = true;
			exit(128 + 9);
		}

		@Override
		public void requestThreadDump() {
			this.threadDumpRequested = true;
		}

		@Override
		public Optional<Duration> cpuTime() {
			return Optional.of(this.cpu);
		}

		@Override
		public void favourCompilers() {
			this.compilersFavoured++;
		}

		/**
		 * Ends the worker's process.
		 * @param code its exit value
		 */
		void exit(int code) {
			if (this.exitValue == null) {
				this.exitValue = code;
				this.onExit.run();
			}
		}

	}

}
