package io.bootcluster.server;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.bootcluster.internal.ipc.DaemonThreads;
import io.bootcluster.test.Http;
import io.bootcluster.test.KeepAliveLoad;
import io.bootcluster.test.ListeningSockets;
import io.bootcluster.test.Processes;
import org.junit.jupiter.api.Test;

import org.springframework.boot.tomcat.reactive.TomcatReactiveWebServerFactory;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real Tomcats in one JVM bind one port: what two workers do in two, servlet or
 * reactive.
 */
class TomcatPortSharingTests {

	private final TomcatPortSharing portSharing = new TomcatPortSharing();

	@Test
	void twoServersShareOnePortAndEachReportsItsSharedListener() throws IOException {
		int port = Processes.freePort();
		WebServer first = start(port, "first");
		WebServer second = start(port, "second");
		try {
			BoundListener listener = this.portSharing.find(first);
			assertThat(listener).isNotNull();
			assertThat(listener.reusePort()).isTrue();
			assertThat(listener.address().getPort()).isEqualTo(port);
			assertThat(this.portSharing.find(second)).isNotNull();
			assertThat(TwoServers.names(port)).containsExactlyInAnyOrder("first", "second");
			first.stop();
			for (int i = 0; i < 20; i++) {
				assertThat(Http.get(port, "/").body()).isEqualTo("second");
			}
		}
		finally {
			first.stop();
			second.stop();
		}
	}

	@Test
	void reactiveServersShareOnePortToo() throws IOException {
		TwoServers.shareOnePort(this.portSharing, this::startReactive);
	}

	@Test
	void retiredServerClosesItsListenerAndServesWhatItAccepted() throws Exception {
		int port = Processes.freePort();
		WebServer retiring = start(port, "retiring");
		WebServer staying = start(port, "staying");
		AtomicBoolean running = new AtomicBoolean(true);
		AtomicInteger served = new AtomicInteger();
		List<String> failures = new CopyOnWriteArrayList<>();
		List<Thread> clients = new ArrayList<>();
		try {
			assertThat(ListeningSockets.count(port)).isEqualTo(2);
			for (int i = 0; i < 8; i++) {
				clients.add(DaemonThreads.start("client-" + i, () -> {
					while (running.get()) {
						try {
							assertThat(Http.get(port, "/").status()).isEqualTo(200);
							served.incrementAndGet();
						}
						catch (IOException | AssertionError ex) {
							failures.add(ex.toString());
						}
					}
				}));
			}
			Processes.sleep(Duration.ofMillis(500));
			assertThat(this.portSharing.retire(retiring, Duration.ofSeconds(5))).isTrue();
			// Gone from the kernel's group at once, not only once Tomcat stops
			assertThat(ListeningSockets.count(port)).isEqualTo(1);
			int before = served.get();
			// Clients whose handshake the fence dropped retry it about a second later
			Processes.sleep(Duration.ofMillis(1500));
			assertThat(served.get()).isGreaterThan(before);
		}
		finally {
			running.set(false);
			for (Thread client : clients) {
				client.join(10_000);
			}
			retiring.stop();
			staying.stop();
		}
		// Clients that open a connection per request keep handshakes in flight: when the
		// listener closes, the kernel resets those unless it may hand them to the other
		// listener (net.ipv4.tcp_migrate_req=1) or the fence kept them away
		assertThat(failures).hasSizeLessThanOrEqualTo(KeepAliveLoad.toleratedResets());
	}

	@Test
	void otherServersAreNotInspected() {
		assertThat(this.portSharing.find(mockServer())).isNull();
	}

	private WebServer start(int port, String name) {
		TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory(port);
		this.portSharing.customize(factory);
		WebServer server = factory.getWebServer((context) -> context.addServlet(name, new NameServlet(name))
			.addMapping("/"));
		server.start();
		return server;
	}

	private WebServer startReactive(int port, String name) {
		TomcatReactiveWebServerFactory factory = new TomcatReactiveWebServerFactory(port);
		this.portSharing.customize(factory);
		WebServer server = factory.getWebServer(TwoServers.naming(name));
		server.start();
		return server;
	}

	private static WebServer mockServer() {
		return org.mockito.Mockito.mock(WebServer.class);
	}

	static class NameServlet extends jakarta.servlet.http.HttpServlet {

		private final String name;

		NameServlet(String name) {
			this.name = name;
		}

		@Override
		protected void doGet(jakarta.servlet.http.HttpServletRequest request,
				jakarta.servlet.http.HttpServletResponse response) throws IOException {
			response.getWriter().write(this.name);
		}

	}

}
