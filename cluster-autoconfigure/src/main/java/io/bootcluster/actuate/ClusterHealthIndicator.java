package io.bootcluster.actuate;

import java.util.Map;
import java.util.TreeMap;

import io.bootcluster.ClusterStatus;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The cluster's health: {@code UP} when every desired worker listens,
 * {@code OUT_OF_SERVICE} when fewer do (a worker crashed, or is being replaced), and
 * {@code DOWN} when the master cannot be asked. Counts are in the details.
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
		Health.Builder health = (listening >= status.desiredWorkers()) ? Health.up() : Health.outOfService();
		return health.withDetail("desiredWorkers", status.desiredWorkers())
			.withDetail("listeningWorkers", listening)
			.withDetail("workers", states)
			.withDetail("restarts", status.restarts())
			.build();
	}

}
