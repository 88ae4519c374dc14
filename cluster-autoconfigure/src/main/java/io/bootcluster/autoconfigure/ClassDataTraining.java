package io.bootcluster.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

import io.bootcluster.master.ClusterMaster;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The run in which the master trains a class data archive: the application starts alone,
 * on ports of its own, serves one request, and exits before its runners, so that the
 * archive holds what a worker loads until it serves, web server and request handling
 * included.
 */
final class ClassDataTraining {

	private static final int TIMEOUT_MILLIS = 5000;

	private ClassDataTraining() {
	}

	static boolean isTrainingRun() {
		return System.getenv(ClusterMaster.TRAINING_ENV) != null;
	}

	// Above every other source: the workers hold the configured ports
	static void useOwnPorts(ConfigurableEnvironment environment) {
		Map<String, Object> ports = new HashMap<>();
		ports.put("server.port", "0");
		if (environment.containsProperty("management.server.port")) {
			ports.put("management.server.port", "0");
		}
		environment.getPropertySources().addFirst(new MapPropertySource("clusterClassDataTraining", ports));
	}

	/**
	 * Sends one request to the started application, then exits, which writes the archive.
	 * @param context the started application
	 */
	static void finish(ConfigurableApplicationContext context) {
		if (context instanceof WebServerApplicationContext web && web.getWebServer() != null) {
			request(web.getWebServer().getPort());
		}
		System.exit(0);
	}

	// A path no application maps: the answer is an error page, and no code of the
	// application's runs, yet the request passes through all of the server's machinery
	private static void request(int port) {
		try {
			HttpURLConnection connection = (HttpURLConnection) URI
				.create("http://127.0.0.1:" + port + "/cluster-class-data-training")
				.toURL()
				.openConnection();
			connection.setConnectTimeout(TIMEOUT_MILLIS);
			connection.setReadTimeout(TIMEOUT_MILLIS);
			connection.getResponseCode();
			InputStream body = connection.getErrorStream();
			if (body != null) {
				body.readAllBytes();
				body.close();
			}
			connection.disconnect();
		}
		catch (IOException ex) {
			// The archive is made of what loaded so far
		}
	}

}
