package io.bootcluster.autoconfigure;

import java.util.Map;

/**
 * What each {@code cluster.*} property accepts, in words, for failure messages.
 */
final class AcceptedValues {

	static final String WORKERS = "'auto' or a whole number of at least 1";

	private static final String DURATION = "a duration of zero or more, such as 500ms, 30s or PT1M";

	private static final String POSITIVE_DURATION = "a duration greater than zero, such as 500ms, 30s or PT1M";

	private static final Map<String, String> BY_PROPERTY = Map.ofEntries(Map.entry("cluster.enabled", "true or false"),
			Map.entry("cluster.workers", WORKERS), Map.entry("cluster.shutdown-timeout", DURATION),
			Map.entry("cluster.worker.startup-timeout", POSITIVE_DURATION),
			Map.entry("cluster.restart.initial-backoff", DURATION), Map.entry("cluster.restart.max-backoff", DURATION),
			Map.entry("cluster.restart.stable-uptime", DURATION),
			Map.entry("cluster.restart.backoff-multiplier", "a number of at least 1, such as 1.5"),
			Map.entry("cluster.restart.max-crashes", "a whole number of at least 1"),
			Map.entry("cluster.ipc.max-frame-size", "a size of at least 64B and under 2GB, such as 1MB"),
			Map.entry("cluster.master.management-port", "a port number from 0 to 65535"),
			Map.entry("cluster.worker.heartbeat-timeout", "a duration of at least 2s, such as 30s"),
			Map.entry("cluster.worker.drain-timeout", DURATION),
			Map.entry("cluster.worker.on-uncaught-exception", "replace, exit or ignore"),
			Map.entry("cluster.worker.max-requests", "a whole number, 0 for no limit"),
			Map.entry("cluster.worker.max-heap-after-gc", "a size greater than zero, such as 512MB"),
			Map.entry("cluster.worker.min-memory", "a size greater than zero, such as 512MB"),
			Map.entry("cluster.standby-workers", "a whole number, 0 for none"));

	private AcceptedValues() {
	}

	static String of(String property) {
		return BY_PROPERTY.getOrDefault(property, "a value of the property's type (see its documentation)");
	}

}
