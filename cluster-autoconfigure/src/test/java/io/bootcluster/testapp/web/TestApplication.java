package io.bootcluster.testapp.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import io.bootcluster.DisconnectRequestedEvent;
import io.bootcluster.ipc.Message;
import io.bootcluster.worker.WorkerRuntime;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.node.JsonNodeFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
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

	// Lets a test break the next worker's startup, as a bad deploy would
	@Bean
	Object brokenBuildCheck(Environment environment) {
		String marker = environment.getProperty("test.fail-startup-when");
		if (marker != null && Files.exists(Path.of(marker))) {
			throw new IllegalStateException("this build is broken: " + marker + " exists");
		}
		return marker != null ? marker : "no marker";
	}

	@EventListener
	void onDisconnectRequested(DisconnectRequestedEvent event) {
		System.out.println("DISCONNECT-REQUESTED reason=" + event.getReason());
	}

	@RestController
	static class WhoAmI {

		private final int workerId;

		private final Environment environment;

		private final WorkerRuntime runtime;

		private final Counter work;

		WhoAmI(@Value("${cluster.worker.id:0}") int workerId, Environment environment, WorkerRuntime runtime,
				MeterRegistry registry) {
			this.workerId = workerId;
			this.environment = environment;
			this.runtime = runtime;
			this.work = Counter.builder("test.work").tag("kind", "unit").register(registry);
		}

		@GetMapping("/tell-master/{topic}")
		String tellMaster(@PathVariable String topic) throws IOException {
			this.runtime.send(new Message.UserMessage(topic, JsonNodeFactory.instance.textNode("from " + this.workerId)));
			return "sent";
		}

		@GetMapping("/ping")
		String ping() {
			return "pong";
		}

		@GetMapping("/fail-thread")
		Map<String, Long> failThread() {
			Thread thread = new Thread(() -> {
				throw new IllegalStateException("background job failed");
			}, "background-job");
			thread.start();
			return whoAmI();
		}

		@GetMapping("/oom")
		String outOfMemory() {
			List<long[]> hog = new ArrayList<>();
			while (true) {
				hog.add(new long[1024 * 1024]);
			}
		}

		@GetMapping("/deadlock")
		Map<String, Long> deadlock() {
			Object first = new Object();
			Object second = new Object();
			CountDownLatch bothLocked = new CountDownLatch(2);
			startLocking("deadlock-a", first, second, bothLocked);
			startLocking("deadlock-b", second, first, bothLocked);
			return whoAmI();
		}

		private static void startLocking(String name, Object held, Object wanted, CountDownLatch bothLocked) {
			Thread thread = new Thread(() -> {
				synchronized (held) {
					bothLocked.countDown();
					try {
						bothLocked.await();
					}
					catch (InterruptedException ex) {
						return;
					}
					synchronized (wanted) {
						System.out.println("never");
					}
				}
			}, name);
			thread.setDaemon(true);
			thread.start();
		}

		@GetMapping("/work")
		Map<String, Long> work() {
			this.work.increment();
			return whoAmI();
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
