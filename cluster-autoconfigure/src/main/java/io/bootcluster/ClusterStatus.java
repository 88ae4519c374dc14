package io.bootcluster;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The whole cluster as its master sees it: what {@code /actuator/cluster} answers, from
 * whichever process serves it.
 *
 * @param masterPid the master's process id
 * @param desiredWorkers how many workers the master keeps running
 * @param restarts how many workers were replaced after an unexpected exit
 * @param workers the current workers, oldest first
 * @param events the latest lifecycle events, oldest first
 * @param exits worker exits so far, by reason
 * @param startup how long workers took from fork to listening
 * @param messages channel messages the master received ({@code in}) and sent ({@code out})
 * @param restart the latest rolling restart, or {@code null} when there was none
 * @param perWorkerState what each worker keeps to itself, as the master saw at startup
 * @param leader the id of the worker that leads the cluster, or {@code null} while none
 * does
 */
public record ClusterStatus(long masterPid, int desiredWorkers, long restarts, List<Worker> workers,
		List<Event> events, List<ExitCount> exits, Startup startup, Map<String, Long> messages,
		@Nullable Restart restart, List<PerWorkerState> perWorkerState, @Nullable Integer leader) {

	/**
	 * Something each worker keeps to itself, which a single process would share.
	 *
	 * @param kind {@code database}, {@code connections}, {@code cache}, {@code sessions} or
	 * {@code websocket}
	 * @param description what it means for the application, and what to do about it
	 */
	public record PerWorkerState(String kind, String description) {
	}

	/**
	 * One worker.
	 *
	 * @param id the worker's id
	 * @param pid its process id
	 * @param state {@code forked}, {@code online}, {@code listening}, {@code disconnected} or
	 * {@code dead}
	 * @param startedAt when it was forked, ISO-8601
	 * @param uptime how long it has run, ISO-8601
	 * @param restarts how many unexpected exits its slot had before it
	 * @param exitedAfterDisconnect {@code null} until it disconnects or exits
	 * @param lastExit how its slot's previous worker ended, or {@code null}
	 * @param heapUsed heap in use, in bytes, from its last heartbeat
	 * @param heapMax heap limit, in bytes
	 * @param cpu its process's recent CPU load, from 0 to 1, or -1 when unknown
	 * @param requests requests it has served
	 * @param standby whether it is a standby, started but not serving until it takes over
	 * @param leader whether it leads the cluster
	 * @param slot its place in the cluster, which a replacement inherits; -1 for a standby
	 */
	public record Worker(int id, long pid, String state, String startedAt, String uptime, long restarts,
			@Nullable Boolean exitedAfterDisconnect, @Nullable Exit lastExit, long heapUsed, long heapMax, double cpu,
			long requests, boolean standby, boolean leader, int slot) {
	}

	/**
	 * How a worker ended.
	 *
	 * @param worker the worker's id
	 * @param code its exit code
	 * @param signal the signal that ended it, or {@code null}
	 * @param at when, ISO-8601
	 */
	public record Exit(int worker, int code, @Nullable String signal, String at) {
	}

	/**
	 * A lifecycle event.
	 *
	 * @param time when, ISO-8601
	 * @param worker the worker's id
	 * @param type {@code fork}, {@code online}, {@code listening}, {@code disconnect},
	 * {@code exit}, or {@code restart-failed} when a rolling restart stopped at this worker
	 * @param code the exit code, for an exit
	 * @param signal the signal, for an exit by signal
	 */
	public record Event(String time, int worker, String type, @Nullable Integer code, @Nullable String signal) {
	}

	/**
	 * How many workers ended one way.
	 *
	 * @param reason {@code retired} (asked to go), {@code crashed} (exited on its own),
	 * {@code signal} (killed by a signal from outside) or {@code killed} (killed by the
	 * master: startup timeout, port check, shutdown timeout)
	 * @param expected whether the master had asked the worker to go
	 * @param count how many
	 */
	public record ExitCount(String reason, boolean expected, long count) {
	}

	/**
	 * A rolling restart.
	 *
	 * @param state {@code running}, {@code done}, {@code failed}, or {@code cancelled} when
	 * the cluster stopped first
	 * @param startedAt when it started, ISO-8601
	 * @param finishedAt when it ended, or {@code null} while it runs
	 * @param workers the workers it set out to replace, in order
	 * @param message why it failed or was cancelled, or {@code null}
	 */
	public record Restart(String state, String startedAt, @Nullable String finishedAt, List<Integer> workers,
			@Nullable String message) {
	}

	/**
	 * Fork-to-listening times.
	 *
	 * @param count how many workers reached listening
	 * @param totalMillis their summed startup time
	 * @param maxMillis the longest startup time
	 */
	public record Startup(long count, long totalMillis, long maxMillis) {
	}

}
