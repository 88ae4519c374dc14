package io.bootcluster.sample;

import java.util.Map;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Says which worker answered, so a client can watch the kernel spread its connections.
 */
@RestController
class WhoAmIController {

	private final int workerId;

	WhoAmIController(@Value("${cluster.worker.id:0}") int workerId) {
		this.workerId = workerId;
	}

	@GetMapping("/")
	Map<String, Long> whoAmI() {
		return Map.of("worker", (long) this.workerId, "pid", ProcessHandle.current().pid());
	}

}
