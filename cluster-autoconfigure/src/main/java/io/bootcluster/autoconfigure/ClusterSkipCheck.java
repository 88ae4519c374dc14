package io.bootcluster.autoconfigure;

import java.util.List;

import io.bootcluster.master.ClusterMaster;

/**
 * Whether this run must stay a plain application however it is configured: inside a test
 * framework, while build tools process it ahead of time, or as the master's training run
 * for a class data archive.
 */
final class ClusterSkipCheck {

	private static final List<String> TEST_FRAMEWORK_PACKAGES = List.of("org.junit.", "org.testng.",
			"org.springframework.boot.test.", "org.spockframework.", "io.cucumber.", "cucumber.runtime.",
			"io.kotest.");

	private ClusterSkipCheck() {
	}

	static boolean shouldSkip() {
		return Boolean.getBoolean("spring.aot.processing") || System.getenv(ClusterMaster.TRAINING_ENV) != null
				|| calledFromTestFramework();
	}

	private static boolean calledFromTestFramework() {
		for (StackTraceElement element : Thread.currentThread().getStackTrace()) {
			String className = element.getClassName();
			if (TEST_FRAMEWORK_PACKAGES.stream().anyMatch(className::startsWith)) {
				return true;
			}
		}
		return false;
	}

}
