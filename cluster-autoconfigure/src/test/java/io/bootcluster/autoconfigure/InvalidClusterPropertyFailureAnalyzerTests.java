package io.bootcluster.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.diagnostics.FailureAnalysis;

import static org.assertj.core.api.Assertions.assertThat;

class InvalidClusterPropertyFailureAnalyzerTests {

	private final InvalidClusterPropertyFailureAnalyzer analyzer = new InvalidClusterPropertyFailureAnalyzer();

	@Test
	void namesThePropertyItsValueAndTheAcceptedValues() {
		FailureAnalysis analysis = this.analyzer.analyze(new IllegalStateException("wrapped",
				new InvalidClusterPropertyException("cluster.workers", "abc", ClusterPropertyRules.WORKERS)));
		assertThat(analysis.getDescription()).contains("'cluster.workers' is set to 'abc'", "No worker was started");
		assertThat(analysis.getAction()).startsWith("Set cluster.workers to 'auto' or a whole number of at least 1")
			.contains("cluster.enabled=false");
	}

	@Test
	void singleProcessHintIsOnlyForTheWorkerCount() {
		FailureAnalysis analysis = this.analyzer.analyze(new InvalidClusterPropertyException(
				"cluster.shutdown-timeout", "-1s", ClusterPropertyRules.accepted("cluster.shutdown-timeout")));
		assertThat(analysis.getAction()).startsWith("Set cluster.shutdown-timeout to a duration of zero or more")
			.doesNotContain("single process");
	}

	@Test
	void otherFailuresAreLeftToOtherAnalyzers() {
		assertThat(this.analyzer.analyze(new IllegalStateException("unrelated"))).isNull();
	}

}
