package io.bootcluster.test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A real browser for tests: headless Chromium, driven over its DevTools protocol with the
 * JDK's own WebSocket client. It loads a page, evaluates script in it and takes
 * screenshots. Needs {@code chromium} on the path ({@code .ci/run} installs it). Used by
 * one test thread; answers arrive on the WebSocket's thread.
 */
public final class Browser implements AutoCloseable {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

	private static final JsonMapper JSON = JsonMapper.shared();

	private final Process process;

	private final Path profile;

	private final WebSocket socket;

	private final Map<Long, CompletableFuture<JsonNode>> answers = new ConcurrentHashMap<>();

	private final AtomicLong ids = new AtomicLong();

	private Browser(Process process, Path profile, String pageSocket) {
		this.process = process;
		this.profile = profile;
		this.socket = HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.buildAsync(URI.create(pageSocket), new Listener())
			.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS)
			.join();
	}

	/**
	 * Starts a headless Chromium with a page of its own, a laptop's screen wide.
	 * @return the browser
	 * @throws IOException if it cannot be started
	 */
	public static Browser start() throws IOException {
		Path profile = Files.createTempDirectory("browser");
		// --no-sandbox: the sandbox needs user namespaces, which containers and root lack
		Process process = new ProcessBuilder(executable(), "--headless=new", "--no-sandbox", "--disable-gpu",
				"--disable-dev-shm-usage", "--no-first-run", "--remote-debugging-port=0", "--window-size=1280,860",
				"--user-data-dir=" + profile, "about:blank")
			.redirectErrorStream(true)
			.start();
		try {
			String browserSocket = awaitDevTools(process);
			URI devTools = URI.create(browserSocket.replaceFirst("^ws://([^/]+)/.*$", "http://$1/json/list"));
			HttpResponse<String> targets = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(devTools).timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
			for (JsonNode target : JSON.readTree(targets.body())) {
				if (target.path("type").asString().equals("page")) {
					return new Browser(process, profile, target.path("webSocketDebuggerUrl").asString());
				}
			}
			throw new IOException("Chromium has no page: " + targets.body());
		}
		catch (IOException | RuntimeException ex) {
			process.destroyForcibly();
			throw ex;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			process.destroyForcibly();
			throw new IOException(ex);
		}
	}

	private static String executable() throws IOException {
		for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
			for (String directory : System.getenv().getOrDefault("PATH", "").split(":")) {
				if (Files.isExecutable(Path.of(directory, name))) {
					return Path.of(directory, name).toString();
				}
			}
		}
		throw new IOException("No chromium on the path: install it (apt-get install chromium), as .ci/run does");
	}

	// Chromium says where its DevTools listen on its output; the rest of it is drained
	private static String awaitDevTools(Process process) throws IOException {
		BufferedReader output = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
		CompletableFuture<String> found = new CompletableFuture<>();
		Thread reader = new Thread(() -> {
			try {
				StringBuilder seen = new StringBuilder();
				String line;
				while ((line = output.readLine()) != null) {
					Matcher matcher = LISTENING.matcher(line);
					if (matcher.find()) {
						found.complete(matcher.group(1));
					}
					else if (!found.isDone()) {
						seen.append(line).append('\n');
					}
				}
				found.completeExceptionally(new IOException("Chromium ended: " + seen));
			}
			catch (IOException ex) {
				found.completeExceptionally(ex);
			}
		}, "chromium-output");
		reader.setDaemon(true);
		reader.start();
		try {
			return found.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			throw new IOException("Chromium did not open its DevTools: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Opens a page and waits until it has loaded.
	 * @param url the page
	 */
	public void open(String url) {
		call("Page.navigate", JSON.createObjectNode().put("url", url));
		awaitTrue("document.readyState === 'complete' && location.href === " + JSON.writeValueAsString(url),
				TIMEOUT);
	}

	/**
	 * Evaluates script in the page.
	 * @param expression the script, whose value is returned (a promise's, once settled)
	 * @return its value, as JSON
	 */
	public JsonNode evaluate(String expression) {
		JsonNode result = call("Runtime.evaluate", JSON.createObjectNode()
			.put("expression", expression)
			.put("returnByValue", true)
			.put("awaitPromise", true));
		if (result.has("exceptionDetails")) {
			throw new IllegalStateException("Script failed: " + result.path("exceptionDetails"));
		}
		return result.path("result").path("value");
	}

	/**
	 * Waits until script in the page is true.
	 * @param expression the script
	 * @param timeout how long to wait
	 */
	public void awaitTrue(String expression, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!evaluate(expression).asBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Not true within " + timeout + ": " + expression + "\nPage text:\n"
						+ evaluate("document.body ? document.body.innerText : ''").asString());
			}
			Processes.sleep(Duration.ofMillis(50));
		}
	}

	/**
	 * Shows the page as a device of that size would: a phone's, say.
	 * @param width its width, in CSS pixels
	 * @param height its height, in CSS pixels
	 * @param mobile whether it is a mobile device (its viewport then follows the page's
	 * {@code viewport} meta tag)
	 */
	public void viewport(int width, int height, boolean mobile) {
		call("Emulation.setDeviceMetricsOverride", JSON.createObjectNode()
			.put("width", width)
			.put("height", height)
			.put("deviceScaleFactor", 1)
			.put("mobile", mobile));
	}

	/**
	 * Saves what the page looks like.
	 * @param file a PNG file
	 * @throws IOException if it cannot be written
	 */
	public void screenshot(Path file) throws IOException {
		JsonNode shot = call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png"));
		Files.createDirectories(file.toAbsolutePath().getParent());
		Files.write(file, Base64.getDecoder().decode(shot.path("data").asString()));
	}

	private JsonNode call(String method, ObjectNode params) {
		long id = this.ids.incrementAndGet();
		CompletableFuture<JsonNode> answer = new CompletableFuture<>();
		this.answers.put(id, answer);
		ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
		message.set("params", params);
		this.socket.sendText(JSON.writeValueAsString(message), true).join();
		JsonNode reply = answer.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
		if (reply.has("error")) {
			throw new IllegalStateException(method + " failed: " + reply.path("error"));
		}
		return reply.path("result");
	}

	@Override
	public void close() {
		this.socket.abort();
		// Its renderers and helpers too, should any outlive it
		this.process.descendants().forEach(ProcessHandle::destroyForcibly);
		this.process.destroyForcibly();
		try {
			this.process.waitFor(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		FileSystemUtils.deleteRecursively(this.profile.toFile());
	}

	private final class Listener implements WebSocket.Listener {

		private final StringBuilder message = new StringBuilder();

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.message.append(data);
			if (last) {
				JsonNode received = JSON.readTree(this.message.toString());
				this.message.setLength(0);
				CompletableFuture<JsonNode> answer = Browser.this.answers.remove(received.path("id").asLong(-1));
				if (answer != null) {
					answer.complete(received);
				}
			}
			webSocket.request(1);
			return null;
		}

	}

}
