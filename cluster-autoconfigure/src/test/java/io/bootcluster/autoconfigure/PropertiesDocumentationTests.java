package io.bootcluster.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The table in {@code docs/properties.md} lists every {@code cluster.*} property of the
 * metadata the build generates, with the same default.
 */
class PropertiesDocumentationTests {

	private static final Path TABLE = Path.of("..", "docs", "properties.md");

	private static final Pattern ROW = Pattern.compile("(?m)^\\| `(cluster\\.[a-z.-]+)` \\| ([^|]+) \\|");

	@Test
	void everyPropertyIsDocumentedWithItsDefault() throws IOException {
		assertThat(documented()).isEqualTo(fromMetadata());
	}

	private static Map<String, String> documented() throws IOException {
		Map<String, String> properties = new TreeMap<>();
		Matcher row = ROW.matcher(Files.readString(TABLE));
		while (row.find()) {
			String value = row.group(2).trim();
			properties.put(row.group(1), value.matches("`[^`]+`") ? value.substring(1, value.length() - 1) : "");
		}
		return properties;
	}

	private static Map<String, String> fromMetadata() throws IOException {
		Map<String, String> properties = new TreeMap<>();
		try (InputStream metadata = PropertiesDocumentationTests.class
			.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			for (JsonNode property : JsonMapper.builder().build().readTree(metadata).get("properties")) {
				String name = property.get("name").asString();
				if (name.startsWith("cluster.")) {
					JsonNode value = property.get("defaultValue");
					properties.put(name, (value != null) ? value.asString() : "");
				}
			}
		}
		return properties;
	}

}
