package io.bootcluster.testapp.web;

import java.util.Map;

import io.bootcluster.DisconnectRequestedEvent;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * A web application the process tests run as a cluster.
 */
@SpringBootApplication
public class TestApplication {

	public static void main(String[] args) {
		SpringApplication.run(TestApplication.class, args);
	}

	@EventListener
	void onDisconnectRequested(DisconnectRequestedEvent event) {
		System.out.println("DISCONNECT-REQUESTED reason=" + event.getReason());
	}

	@RestController
	static class WhoAmI {

		private final int workerId;

		private final Environment environment;

		WhoAmI(@Value("${cluster.worker.id:0}") int workerId, Environment environment) {
			this.workerId = workerId;
			this.environment = environment;
		}

		@GetMapping("/property/{name}")
		String property(@PathVariable String name) {
			return "[" + this.environment.getProperty(name) + "]";
		}

		@GetMapping("/")
		Map<String, Long> whoAmI() {
			return Map.of("worker", (long) this.workerId, "pid", ProcessHandle.current().pid());
		}

	}

}
