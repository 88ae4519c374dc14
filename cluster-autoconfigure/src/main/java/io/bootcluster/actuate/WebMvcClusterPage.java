package io.bootcluster.actuate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.bootcluster.internal.control.ClusterPage;
import io.bootcluster.internal.control.StatusBroadcast;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.util.MultiValueMap;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.ModelAndView;
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

	// The writer ends each stream at its maximum age; the request's own timeout is a backstop
	private static final Duration STREAM_TIMEOUT = StatusBroadcast.MAX_AGE.plusMinutes(1);

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
		return new ClosingStream(subscription, ServerResponse.sse((sse) -> {
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
					catch (IOException | RuntimeException ex) {
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
		}, STREAM_TIMEOUT));
	}

	/**
	 * A stream whose connection ends with it, so that a worker that leaves waits for no
	 * page's connection, and whose place is given back if it cannot start.
	 */
	private static final class ClosingStream implements ServerResponse {

		private final StatusBroadcast.Subscription subscription;

		private final ServerResponse stream;

		ClosingStream(StatusBroadcast.Subscription subscription, ServerResponse stream) {
			this.subscription = subscription;
			this.stream = stream;
		}

		@Override
		public HttpStatusCode statusCode() {
			return this.stream.statusCode();
		}

		@Override
		public HttpHeaders headers() {
			return this.stream.headers();
		}

		@Override
		public MultiValueMap<String, Cookie> cookies() {
			return this.stream.cookies();
		}

		@Override
		public @Nullable ModelAndView writeTo(HttpServletRequest request, HttpServletResponse response,
				Context context) throws ServletException, IOException {
			response.setHeader("Connection", "close");
			try {
				return this.stream.writeTo(request, response, context);
			}
			catch (ServletException | IOException | RuntimeException ex) {
				this.subscription.cancel();
				throw ex;
			}
		}

	}

}
