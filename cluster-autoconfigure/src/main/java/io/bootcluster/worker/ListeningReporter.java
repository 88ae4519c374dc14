package io.bootcluster.worker;

import java.io.IOException;
import java.util.List;

import io.bootcluster.ipc.Message;
import io.bootcluster.server.BoundListener;
import io.bootcluster.server.ListenerInspector;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

/**
 * Tells the master that the worker's web server listens, and whether its socket really
 * shares the port. A separate management server is not the shared port and is not
 * reported.
 */
public class ListeningReporter implements ApplicationListener<WebServerInitializedEvent> {

	private static final Log logger = LogFactory.getLog(ListeningReporter.class);

	private final WorkerRuntime runtime;

	private final List<ListenerInspector> inspectors;

	public ListeningReporter(WorkerRuntime runtime, List<ListenerInspector> inspectors) {
		this.runtime = runtime;
		this.inspectors = inspectors;
	}

	@Override
	public void onApplicationEvent(WebServerInitializedEvent event) {
		if (WebServerApplicationContext.getServerNamespace(event.getApplicationContext()) != null) {
			return;
		}
		BoundListener listener = this.inspectors.stream()
			.map((inspector) -> inspector.inspect(event.getWebServer()))
			.filter((found) -> found != null)
			.findFirst()
			.orElse(null);
		Message.Listening listening = (listener != null)
				? new Message.Listening(listener.address().getHostString(), listener.address().getPort(),
						listener.reusePort())
				: new Message.Listening("*", event.getWebServer().getPort(), false);
		try {
			this.runtime.send(listening);
		}
		catch (IOException ex) {
			logger.error("Could not tell the master that this worker listens: " + ex.getMessage());
		}
	}

}
