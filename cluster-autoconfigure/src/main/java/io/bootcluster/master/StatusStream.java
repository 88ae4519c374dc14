package io.bootcluster.master;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpExchange;
import io.bootcluster.internal.control.ClusterPage;
import io.bootcluster.internal.control.StatusBroadcast;
import io.bootcluster.internal.ipc.FrameCodec;
import org.jspecify.annotations.Nullable;

/**
 * The master's status stream for its live page: the supervisor's status as Server-Sent
 * Events, written by the master's own HTTP server (see {@link StatusBroadcast}).
 */
final class StatusStream {

	private static final byte[] EVENT_START = ("event: " + ClusterPage.EVENT + "\ndata: ")
		.getBytes(StandardCharsets.UTF_8);

	private static final byte[] EVENT_END = "\n\n".getBytes(StandardCharsets.UTF_8);

	private static final byte[] KEEP_ALIVE = ":\n\n".getBytes(StandardCharsets.UTF_8);

	private final StatusBroadcast broadcast;

	StatusStream(Supervisor supervisor, boolean writable) {
		this.broadcast = new StatusBroadcast(() -> status(supervisor, writable), "cluster-status-stream");
	}

	private static byte @Nullable [] status(Supervisor supervisor, boolean writable) {
		try {
			return ClusterPage.event(writable,
					FrameCodec.mapper().valueToTree(supervisor.call(supervisor::status)));
		}
		catch (RuntimeException ex) {
			// The master is stopping: the pages see the stream end
			return null;
		}
	}

	/**
	 * Streams the status to a client until it goes away.
	 * @param exchange the client's request, answered here
	 * @throws IOException if the answer cannot be sent
	 */
	void subscribe(HttpExchange exchange) throws IOException {
		StatusBroadcast.Subscription subscription = this.broadcast.reserve();
		if (subscription == null) {
			exchange.sendResponseHeaders(503, -1);
			exchange.close();
			return;
		}
		try {
			exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
			exchange.getResponseHeaders().set("Cache-Control", "no-store");
			exchange.sendResponseHeaders(200, 0);
		}
		catch (IOException | RuntimeException ex) {
			subscription.cancel();
			exchange.close();
			throw ex;
		}
		OutputStream out = exchange.getResponseBody();
		subscription.start(new StatusBroadcast.Subscriber() {

			@Override
			public void send(byte @Nullable [] status) throws IOException {
				if (status != null) {
					out.write(EVENT_START);
					out.write(status);
					out.write(EVENT_END);
				}
				else {
					out.write(KEEP_ALIVE);
				}
				out.flush();
			}

			@Override
			public void end() {
				exchange.close();
			}

		});
	}

	/**
	 * Ends every stream and the ticker.
	 */
	void stop() {
		this.broadcast.stop();
	}

}
