package io.bootcluster.master;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.bootcluster.test.Browser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The master's own port, over real HTTP, in front of a supervisor on a manual loop.
 */
class ManagementServerTests {

	private SupervisorHarness cluster;

	private ManagementServer server;

	@AfterEach
	void stop() throws Exception {
		this.server.stop();
		this.cluster.close();
	}

	@Test
	void readOnlyPortAnswersWritesWith405AndChangesNothing() throws Exception {
		start(false);
		assertThat(request("GET", "127.0.0.1", null, null)).startsWith("HTTP/1.1 200");
		assertThat(request("POST", "127.0.0.1", "application/json", "{\"action\":\"scale\",\"workers\":2}"))
			.startsWith("HTTP/1.1 405")
			.contains("management.endpoint.cluster.access=unrestricted");
		assertThat(request("DELETE", "127.0.0.1", null, null).replace("/actuator/cluster", "")).startsWith(
				"HTTP/1.1 405");
		assertThat(this.cluster.status().desiredWorkers()).isEqualTo(1);
	}

	@Test
	void writablePortTakesJsonFromItsOwnHostOnly() throws Exception {
		start(true);
		assertThat(request("POST", "attacker.example", "application/json", "{\"action\":\"scale\",\"workers\":2}"))
			.startsWith("HTTP/1.1 403");
		assertThat(request("POST", "localhost", "text/plain", "{\"action\":\"scale\",\"workers\":2}"))
			.startsWith("HTTP/1.1 415");
		assertThat(this.cluster.status().desiredWorkers()).isEqualTo(1);
		assertThat(request("POST", "localhost", "application/json", "{\"action\":\"scale\",\"workers\":2}"))
			.startsWith("HTTP/1.1 200")
			.contains("\"from\":1");
		assertThat(this.cluster.status().desiredWorkers()).isEqualTo(2);
	}

	@Test
	void theLivePageHasNoButtonsWithoutWriteAccess() throws Exception {
		start(false);
		try (Browser browser = Browser.start()) {
			browser.open("http://127.0.0.1:" + this.server.port() + "/");
			browser.awaitTrue("document.getElementById('live').textContent === 'live' "
					+ "&& document.querySelectorAll('.worker').length === 1", Duration.ofSeconds(10));
			// Not shown, not merely marked hidden
			assertThat(browser.evaluate("getComputedStyle(document.getElementById('actions')).display === 'none' "
					+ "&& [...document.querySelectorAll('button')].every((b) => b.offsetParent === null)").asBoolean())
				.isTrue();
		}
	}

	@Test
	void thePageAndItsStreamAnswerTheirOwnHostOnly() throws Exception {
		start(true);
		assertThat(get("/", "attacker.example", false)).startsWith("HTTP/1.1 403");
		assertThat(get("/actuator/cluster/stream", "attacker.example", false)).startsWith("HTTP/1.1 403");
		assertThat(get("/other", "localhost", false)).startsWith("HTTP/1.1 404");
		assertThat(get("/", "localhost", false)).startsWith("HTTP/1.1 200")
			.containsIgnoringCase("X-Frame-Options: DENY")
			.contains("frame-ancestors 'none'")
			.contains("new EventSource(");
		assertThat(get("/actuator/cluster/stream", "localhost", true)).startsWith("HTTP/1.1 200")
			.containsIgnoringCase("Content-Type: text/event-stream")
			.contains("event: status\ndata: {\"writable\":true,\"status\":{\"masterPid\":");
	}

	// Up to the first event, for a stream, which does not end
	private String get(String path, String host, boolean stream) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", this.server.port())) {
			socket.getOutputStream()
				.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + this.server.port()
						+ "\r\nConnection: close\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
			socket.setSoTimeout(10_000);
			if (!stream) {
				return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			}
			StringBuilder read = new StringBuilder();
			byte[] buffer = new byte[8192];
			int count;
			while (!read.toString().matches("(?s).*\ndata: .*\n\n.*")
					&& (count = socket.getInputStream().read(buffer)) > 0) {
				read.append(new String(buffer, 0, count, StandardCharsets.UTF_8));
			}
			return read.toString();
		}
	}

	private void start(boolean writable) throws IOException {
		this.cluster = new SupervisorHarness(1, 0, 10, 2);
		this.server = ManagementServer.startIfConfigured(new ManagementServer.Settings(0, "127.0.0.1", true, writable),
				this.cluster.supervisor);
	}

	private String request(String method, String host, String contentType, String body) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", this.server.port())) {
			byte[] content = (body != null) ? body.getBytes(StandardCharsets.UTF_8) : new byte[0];
			String path = method.equals("DELETE") ? "/actuator/cluster/1" : "/actuator/cluster";
			String head = method + " " + path + " HTTP/1.1\r\nHost: " + host + ":" + this.server.port()
					+ "\r\nConnection: close\r\nContent-Length: " + content.length + "\r\n"
					+ ((contentType != null) ? "Content-Type: " + contentType + "\r\n" : "") + "\r\n";
			socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
			socket.getOutputStream().write(content);
			socket.setSoTimeout(10_000);
			return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		}
	}

}
