package io.bootcluster;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A worker as it was at one moment.
 *
 * @param id the worker's id: ids grow and are never reused
 * @param pid the worker's process id
 * @param state the worker's state
 * @param startedAt when the worker was forked
 * @param exitedAfterDisconnect {@code null} until the worker disconnects or exits, then
 * whether the master had asked it to go
 * @param exit how the process ended, or {@code null} while it runs
 */
public record WorkerSnapshot(int id, long pid, WorkerState state, Instant startedAt,
		@Nullable Boolean exitedAfterDisconnect, @Nullable WorkerExit exit) {

}
