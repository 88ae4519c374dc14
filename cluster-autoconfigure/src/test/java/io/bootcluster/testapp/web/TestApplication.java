package io.bootcluster.testapp.web;

import java.util.Map;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A web application the process tests run as a cluster.
 */
@SpringBootApplication
public class TestApplication {

	public static void main(String[] args) {
		SpringApplication.run(TestApplication.class, args);
	}

	@RestController
	static class WhoAmI {

		private final int workerId;

		WhoAmI(@Value("${cluster.worker.id:0}") int workerId) {
			this.workerId = workerId;
		}

		@GetMapping("/")
		Map<String, Long> whoAmI() {
			return Map.of("worker", (long) this.workerId, "pid", ProcessHandle.current().pid());
		}

	}

}
