package io.bootcluster.master;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import io.bootcluster.test.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerOutputTests {

	@Test
	void plainTextLinesArePrefixedWithTheWorker() {
		assertThat(write(new MockEnvironment(), 3, false, "Started App\n")).isEqualTo("[worker 3] Started App\n");
	}

	@Test
	void structuredLinesPassThroughUnchanged() {
		String line = "{\"@timestamp\":\"2026-11-30T12:00:00Z\",\"message\":\"Started App\",\"cluster\":{\"worker\":\"3\"}}\n";
		assertThat(write(structured("ecs"), 3, false, line)).isEqualTo(line);
	}

	@Test
	void otherLinesAreWrappedInTheFormatsShape() {
		JsonNode ecs = Json.parse(write(structured("ecs"), 3, true, "OpenJDK 64-Bit Server VM warning: \"x\"\n"));
		assertThat(ecs.path("message").asString()).isEqualTo("OpenJDK 64-Bit Server VM warning: \"x\"");
		assertThat(ecs.path("log").path("level").asString()).isEqualTo("WARN");
		assertThat(ecs.path("cluster").path("worker").asString()).isEqualTo("3");
		assertThat(ecs.has("@timestamp")).isTrue();

		JsonNode logstash = Json.parse(write(structured("logstash"), 4, false, "Full thread dump\n"));
		assertThat(logstash.path("message").asString()).isEqualTo("Full thread dump");
		assertThat(logstash.path("level").asString()).isEqualTo("INFO");
		assertThat(logstash.path("cluster.worker").asString()).isEqualTo("4");

		JsonNode gelf = Json.parse(write(structured("gelf"), 5, false, "\tat java.lang.Thread.run\n"));
		assertThat(gelf.path("short_message").asString()).isEqualTo("\tat java.lang.Thread.run");
		assertThat(gelf.path("_cluster.worker").asString()).isEqualTo("5");
		assertThat(gelf.path("host").asString()).isEqualTo("shop");
		assertThat(gelf.path("level").asInt()).isEqualTo(6);

		JsonNode custom = Json.parse(write(structured("com.example.MyFormat"), 6, false, "{ not json\n"));
		assertThat(custom.path("message").asString()).isEqualTo("{ not json");
		assertThat(custom.path("cluster.worker").asString()).isEqualTo("6");
	}

	@Test
	void aLineThatOnlyLooksLikeAnObjectIsWrapped() {
		JsonNode node = Json.parse(write(structured("logstash"), 1, false, "{\"a\":1} {\"b\":2}\n"));
		assertThat(node.path("message").asString()).isEqualTo("{\"a\":1} {\"b\":2}");
	}

	private static MockEnvironment structured(String format) {
		return new MockEnvironment().withProperty("logging.structured.format.console", format)
			.withProperty("spring.application.name", "shop");
	}

	private static String write(MockEnvironment environment, int worker, boolean error, String line) {
		ByteArrayOutputStream sink = new ByteArrayOutputStream();
		byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
		WorkerOutput.of(environment).write(worker, error, bytes, bytes.length, sink);
		String written = sink.toString(StandardCharsets.UTF_8);
		assertThat(written).endsWith("\n").containsOnlyOnce("\n");
		return written;
	}

}
