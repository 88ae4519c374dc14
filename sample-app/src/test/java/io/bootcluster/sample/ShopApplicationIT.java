package io.bootcluster.sample;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.bootcluster.sample.shop.ShopApplication;
import io.bootcluster.test.Browser;
import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Http;
import io.bootcluster.test.Json;
import io.bootcluster.test.Processes;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application shaped like users' (JPA on an embedded H2, Spring Security, a scheduled
 * job, ECS logs), run as a cluster of two workers the way a new user tries it: the starter
 * added, {@code cluster.workers=2}, nothing else changed.
 */
class ShopApplicationIT {

	@Test
	void perWorkerStateIsStatedOnceAndReportedWhileEveryLineStaysJson() throws Exception {
		int port = Processes.freePort();
		try (ClusterProcess master = ClusterProcess.startClass(ShopApplication.class, "--server.port=" + port,
				"--cluster.workers=2", "--logging.structured.format.console=ecs",
				"--management.endpoints.web.exposure.include=health,cluster",
				"--management.endpoint.health.show-details=always", "--management.endpoint.cluster.access=unrestricted")) {
			master.awaitLines("Worker \\d+ \\(pid \\d+\\) is listening", 2, Duration.ofSeconds(120));

			List<String> warnings = master.linesMatching("each worker keeps its own state");
			assertThat(warnings).hasSize(1);
			JsonNode warning = Json.parse(warnings.get(0));
			assertThat(warning.path("log").path("level").asString()).isEqualTo("WARN");
			assertThat(warning.path("message").asString()).contains("[database] No spring.datasource.url, and org.h2.Driver")
				.contains("[connections] DataSource pool of up to 10 connections per worker, 20 in all")
				.doesNotContain("[sessions]");

			JsonNode cluster = Http.get(port, "/actuator/cluster").json();
			assertThat(cluster.get("perWorkerState").findValuesAsString("kind")).containsExactly("database",
					"connections");
			JsonNode health = Http.get(port, "/actuator/health").json();
			assertThat(health.path("status").asString()).isEqualTo("UP");
			assertThat(health.path("components").path("cluster").path("details").path("perWorkerState")).hasSize(2);

			// The live page under the application's own security: its buttons send the CSRF
			// token back; a request without it is refused (sent to the login page)
			try (Browser browser = Browser.start()) {
				browser.open("http://127.0.0.1:" + port + "/actuator/cluster/ui");
				browser.awaitTrue("document.querySelectorAll('.worker[data-state=listening]').length === 2",
						Duration.ofSeconds(10));
				browser.evaluate("document.getElementById('scale').click()");
				browser.awaitTrue("document.getElementById('message').textContent === 'Scaling to 2: done'",
						Duration.ofSeconds(10));
			}
			assertThat(Http.send("POST", port, "/actuator/cluster", "{\"action\":\"scale\",\"workers\":2}").status())
				.isEqualTo(302);

			// The application works on each worker: a product saved is found by the worker that saved it
			JsonNode saved = Http.send("POST", port, "/products?name=lamp", null).json();
			assertThat(saved.path("id").asLong()).isPositive();
			assertThat(master.linesMatching("\"Stock report\"")).isNotEmpty();

			// A login through one worker holds on every worker: the master keeps the session
			String session = logIn(port, "shopper", "secret");
			Set<Integer> workers = new HashSet<>();
			for (int i = 0; i < 100; i++) {
				Http.Response account = Http.browse("GET", port, "/account", List.of("Cookie: " + session), null);
				assertThat(account.status()).as("request %d: %s", i, account.head()).isEqualTo(200);
				assertThat(account.json().path("user").asString()).isEqualTo("shopper");
				workers.add(account.worker());
			}
			assertThat(workers).containsExactlyInAnyOrder(1, 2);
			assertThat(Http.get(port, "/account").status()).as("without the session").isEqualTo(302);

			master.terminate();
			assertThat(master.awaitExit(Duration.ofSeconds(40))).isZero();
			// But for the lines the tests' own master-side listener prints with System.out
			assertThat(master.lines()).filteredOn((line) -> !line.startsWith("EVENT ") && !line.startsWith("RECORDER "))
				.isNotEmpty()
				.allSatisfy((line) -> assertThat(Json.parse(line).isObject()).isTrue());
		}
	}

	// As a browser does: the login page gives a session and its CSRF token (in the page and
	// in a cookie); the login changes the session's id
	private static String logIn(int port, String user, String password) throws IOException {
		Http.Response page = Http.get(port, "/login");
		Matcher csrf = Pattern.compile("name=\"_csrf\" type=\"hidden\" value=\"([^\"]+)\"").matcher(page.body());
		assertThat(csrf.find()).as(page.body()).isTrue();
		String anonymous = page.cookie("SESSION");
		String token = page.cookie("XSRF-TOKEN");
		Http.Response login = Http.browse("POST", port, "/login", List.of("Cookie: " + anonymous + "; " + token),
				"username=" + user + "&password=" + password + "&_csrf=" + csrf.group(1));
		assertThat(login.status()).as(login.head()).isEqualTo(302);
		assertThat(login.header("Location")).doesNotContain("error");
		String session = login.cookie("SESSION");
		assertThat(session).isNotNull().isNotEqualTo(anonymous);
		return session;
	}

}
