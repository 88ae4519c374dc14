package io.bootcluster.sample;

import java.util.Map;

import io.bootcluster.ClusterLeadership;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Says which worker answered, so a client can watch the kernel spread its connections: its
 * id, its slot (which a replacement inherits) and whether it leads the cluster.
 */
@RestController
class WhoAmIController {

	private final int workerId;

	private final Environment environment;

	private final ClusterLeadership leadership;

	WhoAmIController(@Value("${cluster.worker.id:0}") int workerId, Environment environment,
			ClusterLeadership leadership) {
		this.workerId = workerId;
		this.environment = environment;
		this.leadership = leadership;
	}

	@GetMapping("/")
	Map<String, Object> whoAmI() {
		// Read now: a standby learns its slot only when it takes one over
		int slot = this.environment.getProperty("cluster.worker.slot", Integer.class, -1);
		return Map.of("worker", this.workerId, "pid", ProcessHandle.current().pid(), "slot", slot, "leader",
				this.leadership.isLeader());
	}

}
