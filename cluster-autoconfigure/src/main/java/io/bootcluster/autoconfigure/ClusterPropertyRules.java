package io.bootcluster.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import io.bootcluster.worker.WorkerOptions;

import org.springframework.boot.context.properties.bind.Binder;

/**
 * Every rule a {@code cluster.*} value must follow beyond its type, and what each property
 * accepts, in words, for the failure message: the one place both live.
 */
final class ClusterPropertyRules {

	static final String WORKERS = "'auto' or a whole number of at least 1";

	private static final String DURATION = "a duration of zero or more, such as 500ms, 30s or PT1M";

	private static final String POSITIVE_DURATION = "a duration greater than zero, such as 500ms, 30s or PT1M";

	private static final String SIZE = "a size greater than zero, such as 512MB";

	private static final List<Rule> RULES = List.of(
			rule("shutdown-timeout", DURATION, (p) -> notNegative(p.getShutdownTimeout())),
			rule("standby-workers", "a whole number, 0 for none", (p) -> p.getStandbyWorkers() >= 0),
			rule("worker.startup-timeout", POSITIVE_DURATION, (p) -> positive(p.getWorker().getStartupTimeout())),
			rule("worker.heartbeat-timeout", "a duration of at least 2s, such as 30s",
					(p) -> p.getWorker()
						.getHeartbeatTimeout()
						.compareTo(WorkerOptions.HEARTBEAT_INTERVAL.multipliedBy(2)) >= 0),
			rule("worker.drain-timeout", DURATION, (p) -> notNegative(p.getWorker().getDrainTimeout())),
			rule("worker.min-memory", SIZE, (p) -> p.getWorker().getMinMemory().toBytes() > 0),
			rule("worker.max-requests", "a whole number, 0 for no limit", (p) -> p.getWorker().getMaxRequests() >= 0),
			rule("worker.max-heap-after-gc", SIZE,
					(p) -> p.getWorker().getMaxHeapAfterGc() == null || p.getWorker().getMaxHeapAfterGc().toBytes() > 0),
			rule("restart.initial-backoff", DURATION, (p) -> notNegative(p.getRestart().getInitialBackoff())),
			rule("restart.max-backoff", DURATION, (p) -> notNegative(p.getRestart().getMaxBackoff())),
			rule("restart.stable-uptime", DURATION, (p) -> notNegative(p.getRestart().getStableUptime())),
			rule("restart.backoff-multiplier", "a number of at least 1, such as 1.5",
					(p) -> p.getRestart().getBackoffMultiplier() >= 1),
			rule("restart.max-crashes", "a whole number of at least 1", (p) -> p.getRestart().getMaxCrashes() >= 1),
			rule("ipc.max-frame-size", "a size of at least 64B and under 2GB, such as 1MB",
					(p) -> p.getIpc().getMaxFrameSize().toBytes() >= 64
							&& p.getIpc().getMaxFrameSize().toBytes() <= Integer.MAX_VALUE),
			rule("sessions.max-bytes", SIZE,
					(p) -> p.getSessions().getMaxBytes() == null || p.getSessions().getMaxBytes().toBytes() > 0),
			rule("sessions.max-session-size",
					"a size greater than zero that fits one frame once encoded (at most 3/4 of "
							+ "cluster.ipc.max-frame-size, less 4KB), such as 256KB",
					(p) -> p.getSessions().getMaxSessionSize() == null
							|| (p.getSessions().getMaxSessionSize().toBytes() > 0 && p.getSessions()
								.getMaxSessionSize()
								.toBytes() <= maxSessionSize(p.getIpc().getMaxFrameSize().toBytes()))),
			rule("master.management-port", "a port number from 0 to 65535",
					(p) -> p.getMaster().getManagementPort() == null
							|| (p.getMaster().getManagementPort() >= 0 && p.getMaster().getManagementPort() <= 65535)),
			// Type-only properties: a value that does not bind is reported with these words
			rule("enabled", "true or false", (p) -> true),
			rule("workers", WORKERS, (p) -> true),
			rule("worker.on-uncaught-exception", "replace, exit or ignore", (p) -> true),
			rule("scheduling.run-on", "leader or every-worker", (p) -> true));

	private ClusterPropertyRules() {
	}

	/**
	 * Checks every rule.
	 * @param properties the bound properties
	 * @param binder where they were bound from, to report a value as it was written
	 * @throws InvalidClusterPropertyException for the first rule broken
	 */
	static void check(ClusterProperties properties, Binder binder) {
		for (Rule rule : RULES) {
			if (!rule.valid().test(properties)) {
				// Report the value as written, not as bound: "-1s" rather than "PT-1S"
				String written = binder.bind(rule.property(), String.class).orElse("");
				throw new InvalidClusterPropertyException(rule.property(), written, rule.accepted());
			}
		}
	}

	/**
	 * What a property accepts, in words.
	 * @param property the property's full name
	 * @return the accepted values
	 */
	static String accepted(String property) {
		return RULES.stream()
			.filter((rule) -> rule.property().equals(property))
			.map(Rule::accepted)
			.findFirst()
			.orElse("a value of the property's type (see its documentation)");
	}

	private static Rule rule(String name, String accepted, Predicate<ClusterProperties> valid) {
		return new Rule(ClusterProperties.PREFIX + "." + name, accepted, valid);
	}

	/**
	 * The largest session a frame carries: a session travels whole in one, its attributes
	 * in base64.
	 * @param maxFrameSize the largest frame, in bytes
	 * @return the largest session, in bytes
	 */
	static long maxSessionSize(long maxFrameSize) {
		// Half a frame still, for frames too small to spare the envelope's 4KB
		return Math.max(maxFrameSize / 2, maxFrameSize / 4 * 3 - 4096);
	}

	private static boolean notNegative(Duration duration) {
		return !duration.isNegative();
	}

	private static boolean positive(Duration duration) {
		return !duration.isNegative() && !duration.isZero();
	}

	private record Rule(String property, String accepted, Predicate<ClusterProperties> valid) {
	}

}
