package io.bootcluster.worker;

import reactor.core.publisher.Mono;

import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * The reactive twin of {@link RequestCountingFilter}: counts the requests a worker
 * serves, and reports a {@link VirtualMachineError} met while serving one.
 */
public class RequestCountingWebFilter implements WebFilter {

	private final WorkerRuntime runtime;

	public RequestCountingWebFilter(WorkerRuntime runtime) {
		this.runtime = runtime;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (this.runtime.isWaitingToServe()) {
			// A standby's own warm-up, before it serves
			return chain.filter(exchange);
		}
		this.runtime.countRequest();
		return chain.filter(exchange).doOnError(VirtualMachineError.class, (error) -> {
			this.runtime.failed("a request met " + error);
		});
	}

}
