package io.bootcluster.autoconfigure;

import java.util.Map;

/**
 * What each {@code cluster.*} property accepts, in words, for failure messages.
 */
final class AcceptedValues {

	static final String WORKERS = "'auto' or a whole number of at least 1";

	private static final String DURATION = "a duration of zero or more, such as 500ms, 30s or PT1M";

	private static final String POSITIVE_DURATION = "a duration greater than zero, such as 500ms, 30s or PT1M";

	private static final Map<String, String> BY_PROPERTY = Map.of("cluster.enabled", "true or false",
			"cluster.workers", WORKERS, "cluster.shutdown-timeout", DURATION, "cluster.worker.startup-timeout",
			POSITIVE_DURATION, "cluster.restart.initial-backoff", DURATION, "cluster.restart.max-backoff", DURATION,
			"cluster.restart.stable-uptime", DURATION, "cluster.restart.backoff-multiplier",
			"a number of at least 1, such as 1.5", "cluster.restart.max-crashes", "a whole number of at least 1",
			"cluster.ipc.max-frame-size", "a size of at least 64B and under 2GB, such as 1MB");

	private AcceptedValues() {
	}

	static String of(String property) {
		return BY_PROPERTY.getOrDefault(property, "a value of the property's type (see its documentation)");
	}

}
