package io.bootcluster.actuate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.bootcluster.internal.control.ClusterPage;
import io.bootcluster.internal.control.StatusBroadcast;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;
import org.springframework.web.servlet.function.support.RouterFunctionMapping;

/**
 * The live cluster page and its stream on a servlet stack: {@code <endpoint>/ui} and
 * {@code <endpoint>/stream}. Each stream is written by its own thread of the
 * {@link ClusterStatusFeed}, never a request thread.
 */
public final class WebMvcClusterPage {

	// The browser reconnects when a stream ends: a bound on how long one request lives
	private static final Duration STREAM_TIMEOUT = Duration.ofMinutes(10);

	private WebMvcClusterPage() {
	}

	/**
	 * The page's routes, ahead of the actuator's own mappings.
	 * @param endpointPath the {@code cluster} endpoint's path, such as
	 * {@code /actuator/cluster}
	 * @param feed the status
	 * @return the mapping
	 */
	public static HandlerMapping handlerMapping(String endpointPath, ClusterStatusFeed feed) {
		byte[] page = ClusterPage.html();
		RouterFunctionMapping mapping = new RouterFunctionMapping(RouterFunctions.route()
			.GET(endpointPath + "/ui", (request) -> ServerResponse.ok()
				.headers((headers) -> ClusterPage.HEADERS.forEach(headers::set))
				.body(page))
			.GET(endpointPath + "/stream", (request) -> stream(request, feed))
			.build());
		mapping.setOrder(ClusterStatusFeed.MAPPING_ORDER);
		return mapping;
	}

	private static ServerResponse stream(ServerRequest request, ClusterStatusFeed feed) {
		StatusBroadcast.Subscription subscription = feed.reserve();
		if (subscription == null) {
			return ServerResponse.status(HttpStatus.SERVICE_UNAVAILABLE).build();
		}
		return ServerResponse.sse((sse) -> {
			sse.onTimeout(subscription::cancel);
			sse.onError((ex) -> subscription.cancel());
			sse.onComplete(subscription::cancel);
			subscription.start(new StatusBroadcast.Subscriber() {

				private volatile boolean failed;

				@Override
				public void send(byte @Nullable [] status) throws IOException {
					try {
						if (status != null) {
							sse.event(ClusterPage.EVENT).data(new String(status, StandardCharsets.UTF_8));
						}
						else {
							sse.comment("").send();
						}
					}
					catch (IOException ex) {
						this.failed = true;
						throw ex;
					}
				}

				@Override
				public void end() {
					if (!this.failed) {
						sse.complete();
						return;
					}
					// After a failed write the builder leaves the request for the container to
					// end; not every container does (Jetty keeps it until it times out), and an
					// open request holds up a graceful shutdown
					HttpServletRequest servletRequest = request.servletRequest();
					try {
						if (servletRequest.isAsyncStarted()) {
							servletRequest.getAsyncContext().complete();
						}
					}
					catch (IllegalStateException ex) {
						// Ended meanwhile
					}
				}

			});
		}, STREAM_TIMEOUT);
	}

}
