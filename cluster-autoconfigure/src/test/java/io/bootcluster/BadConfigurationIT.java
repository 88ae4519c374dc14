package io.bootcluster;

import java.time.Duration;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.testapp.web.TestApplication;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad configuration stops the application at once, says which property is wrong and what
 * it accepts, and starts no worker.
 */
class BadConfigurationIT {

	@ParameterizedTest
	@CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
			--cluster.workers=abc                                   | cluster.workers                 | 'auto' or a whole number of at least 1
			--cluster.workers=-1                                    | cluster.workers                 | 'auto' or a whole number of at least 1
			--cluster.workers=0                                     | cluster.workers                 | 'auto' or a whole number of at least 1
			--cluster.shutdown-timeout=-5s                          | cluster.shutdown-timeout        | a duration of zero or more
			--cluster.worker.startup-timeout=soon                   | cluster.worker.startup-timeout  | a duration greater than zero
			""")
	void failsAtStartupNamingThePropertyAndWhatItAccepts(String argument, String property, String accepted) {
		try (ClusterProcess process = ClusterProcess.startClass(TestApplication.class, "--cluster.workers=2",
				argument)) {
			assertThat(process.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
			assertThat(process.linesMatching("APPLICATION FAILED TO START")).hasSize(1);
			assertThat(process.linesMatching("property '" + property + "' is set to")).hasSize(1);
			assertThat(process.linesMatching("Set " + property + " to " + accepted)).hasSize(1);
			assertThat(process.linesMatching("^EVENT fork|Starting \\d+ workers")).isEmpty();
			assertThat(process.descendants()).isEmpty();
		}
	}

}
