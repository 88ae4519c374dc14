package io.bootcluster.master;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

import org.springframework.core.env.Environment;

/**
 * How a worker's output lines reach the master's output, so that the cluster's output
 * reads as one stream of the kind the application logs:
 * <ul>
 * <li>plain text: each line prefixed with {@code [worker N] };</li>
 * <li>structured ({@code logging.structured.format.console} set): a line that is a JSON
 * object passes unchanged, since the worker's own logging already adds its id as the
 * {@code cluster.worker} member; any other line (a JVM warning, a thread dump, the
 * banner) is wrapped in a JSON object of the same format with that member, so a log
 * shipper reads one JSON object per line and loses nothing.</li>
 * </ul>
 * Stateless: shared by every worker's output threads.
 */
abstract sealed class WorkerOutput {

	/** The member, in every structured line, that names the worker who wrote it. */
	static final String WORKER_MEMBER = "cluster.worker";

	private static final JsonFactory json = new JsonFactory();

	/**
	 * The output that matches the application's console logging.
	 * @param environment the application's environment
	 * @return how worker lines are written
	 */
	static WorkerOutput of(Environment environment) {
		String format = environment.getProperty("logging.structured.format.console");
		if (format == null || format.isBlank()) {
			return new Prefixed();
		}
		String host = environment.getProperty("logging.structured.gelf.host",
				environment.getProperty("spring.application.name", "unknown"));
		return new Structured(format.trim().toLowerCase(Locale.ROOT), host);
	}

	/**
	 * Writes one line a worker printed.
	 * @param workerId the worker's id
	 * @param error whether it came from the worker's standard error
	 * @param line the line's bytes, ending with its line feed
	 * @param length how many bytes of {@code line} it has
	 * @param sink where to write it
	 */
	abstract void write(int workerId, boolean error, byte[] line, int length, ByteArrayOutputStream sink);

	static final class Prefixed extends WorkerOutput {

		@Override
		void write(int workerId, boolean error, byte[] line, int length, ByteArrayOutputStream sink) {
			sink.writeBytes(("[worker " + workerId + "] ").getBytes(StandardCharsets.UTF_8));
			sink.write(line, 0, length);
		}

	}

	static final class Structured extends WorkerOutput {

		private final String format;

		private final String host;

		Structured(String format, String host) {
			this.format = format;
			this.host = host;
		}

		@Override
		void write(int workerId, boolean error, byte[] line, int length, ByteArrayOutputStream sink) {
			int end = length;
			while (end > 0 && (line[end - 1] == '\n' || line[end - 1] == '\r')) {
				end--;
			}
			if (isJsonObject(line, end)) {
				sink.write(line, 0, length);
				return;
			}
			String text = new String(line, 0, end, StandardCharsets.UTF_8);
			try (JsonGenerator generator = json.createGenerator(ObjectWriteContext.empty(), sink)) {
				wrap(generator, Integer.toString(workerId), error, text);
			}
			sink.write('\n');
		}

		// Member names as the format's own formatter writes them, so the wrapped line
		// reads like the others to whatever parses them
		private void wrap(JsonGenerator generator, String worker, boolean error, String text) {
			String timestamp = Instant.now().toString();
			generator.writeStartObject();
			switch (this.format) {
				case "ecs" -> {
					generator.writeStringProperty("@timestamp", timestamp);
					generator.writeName("log");
					generator.writeStartObject();
					generator.writeStringProperty("level", error ? "WARN" : "INFO");
					generator.writeStringProperty("logger", error ? "stderr" : "stdout");
					generator.writeEndObject();
					generator.writeStringProperty("message", text);
					generator.writeName("cluster");
					generator.writeStartObject();
					generator.writeStringProperty("worker", worker);
					generator.writeEndObject();
					generator.writeName("ecs");
					generator.writeStartObject();
					generator.writeStringProperty("version", "8.11");
					generator.writeEndObject();
				}
				case "gelf" -> {
					generator.writeStringProperty("version", "1.1");
					generator.writeStringProperty("host", this.host);
					generator.writeNumberProperty("timestamp", BigDecimal.valueOf(System.currentTimeMillis(), 3));
					generator.writeNumberProperty("level", error ? 4 : 6);
					generator.writeStringProperty("short_message", text);
					generator.writeStringProperty("_log_logger", error ? "stderr" : "stdout");
					generator.writeStringProperty("_" + WORKER_MEMBER, worker);
				}
				default -> {
					generator.writeStringProperty("@timestamp", timestamp);
					if ("logstash".equals(this.format)) {
						generator.writeStringProperty("@version", "1");
					}
					generator.writeStringProperty("message", text);
					generator.writeStringProperty("logger_name", error ? "stderr" : "stdout");
					generator.writeStringProperty("level", error ? "WARN" : "INFO");
					generator.writeStringProperty(WORKER_MEMBER, worker);
				}
			}
			generator.writeEndObject();
		}

		private static boolean isJsonObject(byte[] line, int length) {
			if (length < 2 || line[0] != '{' || line[length - 1] != '}') {
				return false;
			}
			try (JsonParser parser = json.createParser(ObjectReadContext.empty(), line, 0, length)) {
				if (parser.nextToken() != JsonToken.START_OBJECT) {
					return false;
				}
				parser.skipChildren();
				return parser.nextToken() == null;
			}
			catch (RuntimeException ex) {
				return false;
			}
		}

	}

}
