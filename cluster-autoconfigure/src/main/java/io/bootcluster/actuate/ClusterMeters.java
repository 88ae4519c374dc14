package io.bootcluster.actuate;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import io.bootcluster.ClusterStatus;
import io.bootcluster.WorkerState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * The master's meters, seen through a worker: workers by state, worker exits, startup
 * times and channel traffic. They describe the whole cluster, so they carry no
 * {@code cluster.worker} tag; their values are the master's, as of the last refresh.
 */
public class ClusterMeters implements MeterBinder {

	static final String WORKERS = "cluster.workers";

	static final String EXITS = "cluster.worker.exits";

	static final String STARTUP = "cluster.worker.startup";

	static final String MESSAGES = "cluster.ipc.messages";

	static final String LEADER = "cluster.leader";

	private static final Set<String> NAMES = Set.of(WORKERS, EXITS, STARTUP, MESSAGES, LEADER);

	// With the other workers' meters, a refresh stays within a scraper's usual 10s
	private static final Duration REFRESH_TIMEOUT = Duration.ofSeconds(2);

	private static final List<String> EXIT_REASONS = List.of("retired", "crashed", "signal", "killed");

	private final MasterClient master;

	private volatile @Nullable ClusterStatus status;

	public ClusterMeters(MasterClient master) {
		this.master = master;
	}

	static boolean isClusterMeter(String name) {
		return NAMES.contains(name);
	}

	/**
	 * Fetches the master's latest figures. Keeps the previous ones when the master does not
	 * answer.
	 */
	public void refresh() {
		try {
			this.status = this.master.status(REFRESH_TIMEOUT);
		}
		catch (RuntimeException ex) {
			// Serve the last known figures rather than fail the scrape
		}
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		for (WorkerState state : WorkerState.values()) {
			String name = state.name().toLowerCase(Locale.ROOT);
			Gauge.builder(WORKERS, this, fromStatus((status) -> status.workers()
				.stream()
				.filter((worker) -> worker.state().equals(name))
				.count()))
				.tag("state", name)
				.description("Workers of the cluster, by state")
				.register(registry);
		}
		for (String reason : EXIT_REASONS) {
			for (boolean expected : new boolean[] { true, false }) {
				FunctionCounter.builder(EXITS, this, fromStatus((status) -> status.exits()
					.stream()
					.filter((exit) -> exit.reason().equals(reason) && exit.expected() == expected)
					.mapToLong(ClusterStatus.ExitCount::count)
					.sum()))
					.tags("reason", reason, "expected", Boolean.toString(expected))
					.description("Worker processes that ended")
					.register(registry);
			}
		}
		FunctionTimer.builder(STARTUP, this, (meters) -> count(meters, (s) -> s.startup().count()),
				(meters) -> count(meters, (s) -> s.startup().totalMillis()), TimeUnit.MILLISECONDS)
			.description("Time from a worker's fork to its web server listening")
			.register(registry);
		Gauge.builder(LEADER, this, fromStatus((status) -> (status.leader() != null) ? status.leader() : 0))
			.description("The id of the worker that leads the cluster, 0 while none does")
			.register(registry);
		for (String direction : List.of("in", "out")) {
			FunctionCounter.builder(MESSAGES, this,
					fromStatus((status) -> status.messages().getOrDefault(direction, 0L)))
				.tag("direction", direction)
				.description("Messages on the master's channel: received (in) and sent (out)")
				.register(registry);
		}
	}

	private static ToDoubleFunction<ClusterMeters> fromStatus(ToDoubleFunction<ClusterStatus> value) {
		return (meters) -> {
			ClusterStatus status = meters.status;
			return (status != null) ? value.applyAsDouble(status) : 0;
		};
	}

	private static long count(ClusterMeters meters, java.util.function.ToLongFunction<ClusterStatus> value) {
		ClusterStatus status = meters.status;
		return (status != null) ? value.applyAsLong(status) : 0;
	}

}
