package io.bootcluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Processes;
import io.bootcluster.testapp.logging.CompactJsonFormatter;
import io.bootcluster.testapp.web.TestApplication;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * With structured console logging, every line the cluster prints is one JSON object, as a
 * log shipper reads it: the workers' log lines carry their id as a member, and what a
 * worker prints outside its logging (a JVM warning on standard error, a thread dump on
 * standard output) is wrapped, not dropped.
 */
class StructuredLoggingProcessIT {

	private static final JsonMapper json = JsonMapper.builder().build();

	@ParameterizedTest
	@ValueSource(strings = { "ecs", "logstash", "gelf", "custom" })
	void everyLineIsAJsonObjectAndEveryWorkerLineNamesItsWorker(String format) {
		String property = "custom".equals(format) ? CompactJsonFormatter.class.getName() : format;
		int port = Processes.freePort();
		// Two workers for one format, told apart in its lines; one for the others, whose
		// lines differ only in the format
		int workers = "ecs".equals(format) ? 2 : 1;
		try (ClusterProcess master = ClusterProcess.startClass(TestApplication.class, "--server.port=" + port,
				"--cluster.workers=" + workers, "--logging.structured.format.console=" + property,
				// A JVM warning on each worker's standard error
				"--cluster.worker.jvm-arguments=-Xverify:none")) {
			master.awaitLines("EVENT listening worker=\\d+", workers, Duration.ofSeconds(90));
			long workerPid = master.descendants().get(0).pid();
			Processes.signal(workerPid, "QUIT");
			master.awaitLine("Full thread dump", Duration.ofSeconds(10));
			master.terminate();
			assertThat(master.awaitExit(Duration.ofSeconds(40))).isZero();

			Set<String> workersSeen = new HashSet<>();
			List<String> wrapped = new ArrayList<>();
			int masterLines = 0;
			for (String line : master.lines()) {
				// The test's own master-side listener prints these with System.out
				if (line.startsWith("EVENT ") || line.startsWith("RECORDER ")) {
					continue;
				}
				JsonNode node = parse(line);
				String worker = workerOf(node, format);
				if (worker == null) {
					masterLines++;
					continue;
				}
				workersSeen.add(worker);
				String text = node.toString();
				if (text.contains("Full thread dump") || text.contains("-Xverify:none")) {
					wrapped.add(worker + ": " + text);
				}
			}
			assertThat(masterLines).as("lines of the master's own logging").isGreaterThan(3);
			assertThat(workersSeen).as("workers named in lines").hasSize(workers);
			assertThat(wrapped).as("wrapped lines").anyMatch((line) -> line.contains("Full thread dump"))
				.anyMatch((line) -> line.contains("-Xverify:none"));
			assertThat(master.linesMatching("Started TestApplication")).hasSize(workers)
				.allMatch((line) -> workerOf(parse(line), format) != null);
		}
	}

	private static JsonNode parse(String line) {
		try {
			JsonNode node = json.readTree(line);
			if (!node.isObject()) {
				fail("Not a JSON object: " + line);
			}
			return node;
		}
		catch (RuntimeException ex) {
			return fail("Not one JSON object: " + line, ex);
		}
	}

	private static String workerOf(JsonNode node, String format) {
		JsonNode worker = switch (format) {
			case "ecs" -> node.path("cluster").path("worker");
			case "gelf" -> node.path("_cluster.worker");
			default -> node.path("cluster.worker");
		};
		return worker.isMissingNode() ? null : worker.asString();
	}

}
