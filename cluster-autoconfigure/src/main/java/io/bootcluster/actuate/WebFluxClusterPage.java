package io.bootcluster.actuate;

import java.nio.charset.StandardCharsets;

import io.bootcluster.internal.control.ClusterPage;
import io.bootcluster.internal.control.StatusBroadcast;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.function.server.support.RouterFunctionMapping;

/**
 * The live cluster page and its stream on a reactive stack: {@code <endpoint>/ui} and
 * {@code <endpoint>/stream}. Each stream is fed by its own thread of the
 * {@link ClusterStatusFeed}, which only hands events over: a page that reads slowly gets
 * the latest status, never a queue.
 */
public final class WebFluxClusterPage {

	private WebFluxClusterPage() {
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
				.bodyValue(page))
			.GET(endpointPath + "/stream", (request) -> stream(feed))
			.build());
		mapping.setOrder(ClusterStatusFeed.MAPPING_ORDER);
		return mapping;
	}

	private static Mono<ServerResponse> stream(ClusterStatusFeed feed) {
		StatusBroadcast.Subscription subscription = feed.reserve();
		if (subscription == null) {
			return ServerResponse.status(HttpStatus.SERVICE_UNAVAILABLE).build();
		}
		Flux<ServerSentEvent<String>> events = Flux.<ServerSentEvent<String>>create((sink) -> {
			sink.onDispose(subscription::cancel);
			subscription.start(new StatusBroadcast.Subscriber() {

				@Override
				public void send(byte @Nullable [] status) {
					sink.next((status != null)
							? ServerSentEvent.builder(new String(status, StandardCharsets.UTF_8))
								.event(ClusterPage.EVENT)
								.build()
							: ServerSentEvent.<String>builder().comment("").build());
				}

				@Override
				public void end() {
					sink.complete();
				}

			});
		}, FluxSink.OverflowStrategy.LATEST);
		// The connection ends with the stream, so that a worker that leaves waits for none
		return ServerResponse.ok()
			.contentType(MediaType.TEXT_EVENT_STREAM)
			.header("Cache-Control", "no-store")
			.header("Connection", "close")
			.body(BodyInserters.fromServerSentEvents(events));
	}

}
