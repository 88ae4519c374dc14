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
 * @param slot the worker's place in the cluster, from 0 to the number of workers less one,
 * which a replacement inherits; -1 for a standby until it takes over a slot
 */
public record WorkerSnapshot(int id, long pid, WorkerState state, Instant startedAt,
		@Nullable Boolean exitedAfterDisconnect, @Nullable WorkerExit exit, int slot) {

}
