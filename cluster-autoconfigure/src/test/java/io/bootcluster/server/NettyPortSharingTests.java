package io.bootcluster.server;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.reactive.context.AnnotationConfigReactiveWebServerApplicationContext;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.HttpHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A standby's warm-up on a real Reactor Netty: the application's handler answers requests
 * on a private loopback port.
 */
class NettyPortSharingTests {

	@Test
	void warmUpServesTheApplicationsHandlerOnAPrivatePort() {
		AtomicInteger warmUps = new AtomicInteger();
		HttpHandler handler = (request, response) -> {
			if (request.getHeaders().containsHeader(WarmUpRequests.HEADER)
					&& request.getPath().value().equals(WarmUpRequests.PATH)) {
				warmUps.incrementAndGet();
			}
			response.setStatusCode(HttpStatus.NOT_FOUND);
			return response.setComplete();
		};
		try (AnnotationConfigReactiveWebServerApplicationContext context = new AnnotationConfigReactiveWebServerApplicationContext()) {
			context.registerBean(NettyReactiveWebServerFactory.class, () -> new NettyReactiveWebServerFactory(0));
			context.registerBean(HttpHandler.class, () -> handler);
			context.refresh();
			assertThat(new NettyPortSharing().warmUp(context, 25)).isEqualTo(25);
			assertThat(warmUps).hasValue(25);
			assertThat(new TomcatPortSharing().warmUp(context, 25)).isZero();
		}
	}

}
