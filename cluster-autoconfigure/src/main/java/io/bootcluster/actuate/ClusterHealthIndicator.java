package io.bootcluster.actuate;

import java.util.Map;
import java.util.TreeMap;

import io.bootcluster.ClusterStatus;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The cluster's health: {@code UP} while at least one worker listens, {@code DOWN} when
 * none does or the master cannot be asked. A host whose workers are being replaced (a
 * rolling restart, a crash) still serves, so a load balancer that checks
 * {@code /actuator/health} must not take it out: the shortfall ({@code missingWorkers}) is
 * in the details, with the counts by state and what each worker keeps to itself.
 */
public class ClusterHealthIndicator implements HealthIndicator {

	private final MasterClient master;

	public ClusterHealthIndicator(MasterClient master) {
		this.master = master;
	}

	@Override
	public Health health() {
		ClusterStatus status;
		try {
			status = this.master.status();
		}
		catch (RuntimeException ex) {
			return Health.down(ex).build();
		}
		Map<String, Long> states = new TreeMap<>();
		status.workers().forEach((worker) -> states.merge(worker.state(), 1L, Long::sum));
		long listening = states.getOrDefault("listening", 0L);
		Health.Builder health = (listening > 0) ? Health.up() : Health.down();
		return health.withDetail("desiredWorkers", status.desiredWorkers())
			.withDetail("listeningWorkers", listening)
			.withDetail("missingWorkers", Math.max(0, status.desiredWorkers() - listening))
			.withDetail("workers", states)
			.withDetail("restarts", status.restarts())
			.withDetail("perWorkerState", status.perWorkerState())
			.build();
	}

}
