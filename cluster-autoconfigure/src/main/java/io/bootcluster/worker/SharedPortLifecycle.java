package io.bootcluster.worker;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import io.bootcluster.DisconnectRequestedEvent;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.server.BoundListener;
import io.bootcluster.server.SharedPortSupport;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;

/**
 * The worker's web server on the shared port: tells the master when it listens, and
 * whether its socket really shares the port; when the master asks the worker to go,
 * retires it without losing a connection, before the application context closes. A
 * separate management server is not the shared port and is left to the context.
 */
public class SharedPortLifecycle implements ApplicationListener<ApplicationEvent> {

	private static final Log logger = LogFactory.getLog(SharedPortLifecycle.class);

	private final WorkerRuntime runtime;

	private final List<SharedPortSupport> supports;

	private final Duration drainTimeout;

	private volatile @Nullable WebServer webServer;

	public SharedPortLifecycle(WorkerRuntime runtime, List<SharedPortSupport> supports, Duration drainTimeout) {
		this.runtime = runtime;
		this.supports = supports;
		this.drainTimeout = drainTimeout;
	}

	@Override
	public void onApplicationEvent(ApplicationEvent event) {
		if (event instanceof WebServerInitializedEvent initialized
				&& WebServerApplicationContext.getServerNamespace(initialized.getApplicationContext()) == null) {
			listening(initialized.getWebServer());
		}
		else if (event instanceof DisconnectRequestedEvent) {
			retire();
		}
	}

	private void listening(WebServer webServer) {
		this.webServer = webServer;
		BoundListener listener = this.supports.stream()
			.map((support) -> support.find(webServer))
			.filter((found) -> found != null)
			.findFirst()
			.orElse(null);
		Message.Listening listening = (listener != null)
				? new Message.Listening(listener.address().getHostString(), listener.address().getPort(),
						listener.reusePort())
				: new Message.Listening("*", webServer.getPort(), false);
		try {
			this.runtime.send(listening);
		}
		catch (IOException ex) {
			logger.error("Could not tell the master that this worker listens: " + ex.getMessage());
		}
	}

	private void retire() {
		WebServer webServer = this.webServer;
		if (webServer == null) {
			return;
		}
		for (SharedPortSupport support : this.supports) {
			if (support.retire(webServer, this.drainTimeout)) {
				logger.info("Stopped taking connections on the shared port; open connections are done");
				return;
			}
		}
	}

}
