package io.bootcluster.master;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.bootcluster.ClusterStatus;
import io.bootcluster.ClusterWorkerEvent;
import io.bootcluster.WorkerExit;
import io.bootcluster.WorkerExitEvent;
import org.jspecify.annotations.Nullable;

/**
 * What the cluster has been through: the latest lifecycle events, and running totals of
 * exits and startup times. Kept by the supervisor's thread.
 */
final class ClusterHistory {

	private static final int MAX_EVENTS = 100;

	private final Deque<ClusterStatus.Event> events = new ArrayDeque<>();

	private final Map<String, Long> exits = new TreeMap<>();

	private long startups;

	private long startupMillis;

	private long maxStartupMillis;

	void record(ClusterWorkerEvent event) {
		WorkerExit exit = (event instanceof WorkerExitEvent exitEvent) ? exitEvent.getExit() : null;
		String type = event.getClass().getSimpleName().replace("Worker", "").replace("Event", "").toLowerCase();
		add(new ClusterStatus.Event(timestamp(Instant.ofEpochMilli(event.getTimestamp())), event.getWorker().id(),
				type, (exit != null) ? exit.code() : null, (exit != null) ? exit.signal() : null));
	}

	void recordRestartFailure(int worker, @Nullable WorkerExit exit) {
		add(new ClusterStatus.Event(timestamp(Instant.now()), worker, "restart-failed",
				(exit != null) ? exit.code() : null, (exit != null) ? exit.signal() : null));
	}

	private void add(ClusterStatus.Event event) {
		this.events.addLast(event);
		if (this.events.size() > MAX_EVENTS) {
			this.events.removeFirst();
		}
	}

	void recordExit(String reason, boolean expected) {
		this.exits.merge(reason + ":" + expected, 1L, Long::sum);
	}

	void recordStartup(Duration startup) {
		long millis = startup.toMillis();
		this.startups++;
		this.startupMillis += millis;
		this.maxStartupMillis = Math.max(this.maxStartupMillis, millis);
	}

	List<ClusterStatus.Event> events() {
		return List.copyOf(this.events);
	}

	List<ClusterStatus.ExitCount> exits() {
		List<ClusterStatus.ExitCount> counts = new ArrayList<>();
		this.exits.forEach((key, count) -> {
			String[] parts = key.split(":");
			counts.add(new ClusterStatus.ExitCount(parts[0], Boolean.parseBoolean(parts[1]), count));
		});
		return counts;
	}

	ClusterStatus.Startup startup() {
		return new ClusterStatus.Startup(this.startups, this.startupMillis, this.maxStartupMillis);
	}

	static String timestamp(Instant instant) {
		return instant.truncatedTo(ChronoUnit.MILLIS).toString();
	}

}
