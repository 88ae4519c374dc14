package io.bootcluster.actuate;

import java.util.Set;

import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvoker;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvokerAdvisor;
import org.springframework.boot.actuate.endpoint.invoke.OperationParameters;

/**
 * Brings the cluster's meters up to date right before {@code /actuator/metrics} or
 * {@code /actuator/prometheus} reads them, so a single read covers every worker as it is
 * now.
 */
public class MetricsRefreshAdvisor implements OperationInvokerAdvisor {

	private static final Set<EndpointId> METRICS_ENDPOINTS = Set.of(EndpointId.of("metrics"),
			EndpointId.of("prometheus"));

	private final Runnable refresh;

	public MetricsRefreshAdvisor(Runnable refresh) {
		this.refresh = refresh;
	}

	@Override
	public OperationInvoker apply(EndpointId endpointId, OperationType operationType, OperationParameters parameters,
			OperationInvoker invoker) {
		if (!METRICS_ENDPOINTS.contains(endpointId) || operationType != OperationType.READ) {
			return invoker;
		}
		return (context) -> {
			this.refresh.run();
			return invoker.invoke(context);
		};
	}

}
