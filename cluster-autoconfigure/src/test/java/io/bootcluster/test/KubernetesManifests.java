package io.bootcluster.test;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The manifests in {@code deploy/kubernetes}, read as the tests need them.
 */
public final class KubernetesManifests {

	private static final Path DIRECTORY = Path.of("..", "deploy", "kubernetes");

	private KubernetesManifests() {
	}

	/**
	 * A manifest of the directory.
	 * @param name its file's name
	 * @return its content
	 */
	public static Map<String, Object> read(String name) {
		try (Reader reader = Files.newBufferedReader(DIRECTORY.resolve(name))) {
			return new Yaml().load(reader);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The pod of the deployment.
	 * @return the pod's spec
	 */
	public static Map<String, Object> pod() {
		return at(read("deployment.yaml"), "spec", "template", "spec");
	}

	/**
	 * The application's container in the deployment.
	 * @return the container
	 */
	public static Map<String, Object> container() {
		List<Map<String, Object>> containers = at(pod(), "containers");
		return containers.get(0);
	}

	/**
	 * The environment variables of the application's container.
	 * @return the variables, by name
	 */
	public static Map<String, String> env() {
		List<Map<String, Object>> env = at(container(), "env");
		Map<String, String> variables = new LinkedHashMap<>();
		env.forEach((variable) -> variables.put((String) variable.get("name"), String.valueOf(variable.get("value"))));
		return variables;
	}

	/**
	 * The paths the deployment's liveness and readiness probes ask for.
	 * @return the paths
	 */
	public static List<String> probePaths() {
		Map<String, Object> container = container();
		return List.of(at(container, "livenessProbe", "httpGet", "path"),
				at(container, "readinessProbe", "httpGet", "path"));
	}

	/**
	 * A value in a manifest, which must be there.
	 * @param <T> the value's type
	 * @param node where to start
	 * @param keys the keys to follow
	 * @return the value
	 */
	@SuppressWarnings("unchecked")
	public static <T> T at(Map<String, Object> node, String... keys) {
		Object value = node;
		for (String key : keys) {
			assertThat(value).as("'%s' in %s", key, String.join(".", keys)).isInstanceOf(Map.class);
			value = ((Map<String, Object>) value).get(key);
		}
		assertThat(value).as(String.join(".", keys)).isNotNull();
		return (T) value;
	}

}
