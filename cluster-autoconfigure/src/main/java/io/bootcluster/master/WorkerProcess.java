package io.bootcluster.master;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

import io.bootcluster.WorkerExit;
import io.bootcluster.WorkerSnapshot;
import io.bootcluster.WorkerState;
import io.bootcluster.ipc.Connection;
import org.jspecify.annotations.Nullable;

/**
 * One worker process as the master tracks it. Only the supervisor's thread touches its
 * mutable state.
 */
final class WorkerProcess {

	final int id;

	final int slot;

	final Process process;

	final Instant startedAt = Instant.now();

	private final long startedNanos = System.nanoTime();

	private final List<Thread> outputPumps;

	WorkerState state = WorkerState.FORKED;

	@Nullable Connection connection;

	boolean disconnectRequested;

	@Nullable Boolean exitedAfterDisconnect;

	@Nullable WorkerExit exit;

	@Nullable ScheduledFuture<?> startupDeadline;

	WorkerProcess(int id, int slot, Process process) {
		this.id = id;
		this.slot = slot;
		this.process = process;
		this.outputPumps = List.of(OutputPump.start(process.getInputStream(), System.out, id),
				OutputPump.start(process.getErrorStream(), System.err, id));
	}

	WorkerSnapshot snapshot() {
		return new WorkerSnapshot(this.id, this.process.pid(), this.state, this.startedAt, this.exitedAfterDisconnect,
				this.exit);
	}

	Duration uptime() {
		return Duration.ofNanos(System.nanoTime() - this.startedNanos);
	}

	boolean isConnected() {
		return this.state == WorkerState.ONLINE || this.state == WorkerState.LISTENING;
	}

	/**
	 * Waits briefly for the worker's last output lines, so they appear before its exit is
	 * reported.
	 */
	void drainOutput() {
		for (Thread pump : this.outputPumps) {
			try {
				pump.join(1000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	/**
	 * Kills the worker and anything it started.
	 */
	void kill() {
		this.process.descendants().forEach(ProcessHandle::destroyForcibly);
		this.process.destroyForcibly();
	}

	@Override
	public String toString() {
		return "worker " + this.id + " (pid " + this.process.pid() + ")";
	}

}
