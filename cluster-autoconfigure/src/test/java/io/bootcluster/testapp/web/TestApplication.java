package io.bootcluster.testapp.web;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;

import io.bootcluster.DisconnectRequestedEvent;
import io.bootcluster.ClusterMessageEvent;
import io.bootcluster.ClusterMessagingException;
import io.bootcluster.ClusterMessenger;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpSession;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.WebSession;

/**
 * A web application the process tests run as a cluster.
 */
@SpringBootApplication
@EnableScheduling
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

	// A job that must run once per cluster: it notes which process ran it, and when
	@Bean
	@ConditionalOnProperty("test.scheduled-file")
	ScheduledJob scheduledJob(Environment environment) {
		return new ScheduledJob(Path.of(environment.getRequiredProperty("test.scheduled-file")));
	}

	static class ScheduledJob {

		private final Path file;

		ScheduledJob(Path file) {
			this.file = file;
		}

		@Scheduled(fixedRate = 200)
		void run() throws IOException {
			Files.writeString(this.file, ProcessHandle.current().pid() + " " + System.currentTimeMillis() + "\n",
					StandardOpenOption.CREATE, StandardOpenOption.APPEND);
		}

	}

	// Lets a test make a start long but busy, as one on a machine whose cores are all taken
	@Bean
	Object busyStartup(Environment environment) {
		Duration busy = environment.getProperty("test.busy-startup", Duration.class, Duration.ZERO);
		long end = System.nanoTime() + busy.toNanos();
		long sum = 0;
		while (System.nanoTime() < end) {
			for (int i = 0; i < 100_000; i++) {
				sum += Long.hashCode(sum * 31 + i);
			}
		}
		return sum;
	}

	@EventListener(condition = "#root.event.topic == 'point'")
	String onPoint(ClusterMessageEvent message) {
		Point point = message.getPayload(Point.class);
		return "x=" + point.x();
	}

	@EventListener(condition = "#root.event.topic == 'clear-cache'")
	void onClearCache(ClusterMessageEvent message) {
		System.out.println("RECEIVED clear-cache from " + message.getSender() + ": " + message.getPayload(String.class));
	}

	record Point(int x, int y) {
	}

	record Person(String firstName) {
	}

	@EventListener
	void onDisconnectRequested(DisconnectRequestedEvent event) {
		System.out.println("DISCONNECT-REQUESTED reason=" + event.getReason());
	}

	// The channel closes under a worker whose master lives on, as a failing socket would:
	// the worker's end is closed from inside, through the runtime's link
	@RestController
	static class ChannelBreaker {

		private final ApplicationContext context;

		ChannelBreaker(ApplicationContext context) {
			this.context = context;
		}

		@GetMapping("/close-channel")
		String closeChannel() throws ReflectiveOperationException {
			Object runtime = this.context.getBean("clusterWorkerRuntime");
			Object link = field(runtime, "link");
			Object connection = ((CompletableFuture<?>) field(link, "connection")).join();
			connection.getClass().getMethod("close").invoke(connection);
			return "closed";
		}

		private static Object field(Object target, String name) throws ReflectiveOperationException {
			Field field = target.getClass().getDeclaredField(name);
			field.setAccessible(true);
			return field.get(target);
		}

	}

	@RestController
	static class WhoAmI {

		private final int workerId;

		private final Environment environment;

		private final ClusterMessenger messenger;

		private final Counter work;

		WhoAmI(@Value("${cluster.worker.id:0}") int workerId, Environment environment, ClusterMessenger messenger,
				MeterRegistry registry) {
			this.workerId = workerId;
			this.environment = environment;
			this.messenger = messenger;
			this.work = Counter.builder("test.work").tag("kind", "unit").register(registry);
		}

		@EventListener(condition = "#root.event.topic == 'served'")
		long onServedQuestion(ClusterMessageEvent message) {
			return (long) this.work.count();
		}

		@GetMapping("/tell-master/{topic}")
		String tellMaster(@PathVariable String topic) {
			this.messenger.send(ClusterMessenger.MASTER, topic, "from " + this.workerId);
			return "sent";
		}

		@GetMapping("/tell-master-in-order/{count}")
		Map<String, Long> tellMasterInOrder(@PathVariable int count) {
			for (int i = 1; i <= count; i++) {
				this.messenger.send(ClusterMessenger.MASTER, "sequence", i);
			}
			return whoAmI();
		}

		// A payload Jackson by default writes but refuses to read: the master reads it all
		// the same
		@GetMapping("/tell-master-long-key")
		Map<String, Object> tellMasterLongKey() {
			this.messenger.send(ClusterMessenger.MASTER, "long-key", Map.of("k".repeat(60_000), 1));
			return Map.of("worker", this.workerId, "sent", true);
		}

		@GetMapping("/tell-master-big/{kilobytes}")
		Map<String, Object> tellMasterBig(@PathVariable int kilobytes) {
			try {
				this.messenger.send(ClusterMessenger.MASTER, "big", "x".repeat(kilobytes * 1024));
				return Map.of("worker", this.workerId, "sent", true);
			}
			catch (ClusterMessagingException ex) {
				return Map.of("worker", this.workerId, "error", "ClusterMessagingException: " + ex.getMessage());
			}
		}

		@GetMapping("/broadcast/{topic}")
		Map<String, Long> broadcast(@PathVariable String topic) {
			this.messenger.broadcast(topic, "from " + this.workerId);
			return whoAmI();
		}

		@GetMapping("/members")
		Map<String, Object> members() {
			return Map.of("worker", this.workerId, "members", this.messenger.workers());
		}

		@GetMapping("/ask/{to}/{topic}")
		Map<String, Object> ask(@PathVariable int to, @PathVariable String topic) {
			try {
				Object answer = this.messenger.request(to, topic, "from " + this.workerId, Object.class,
						Duration.ofSeconds(5)).join();
				return Map.of("worker", this.workerId, "answer", String.valueOf(answer));
			}
			catch (CompletionException | ClusterMessagingException ex) {
				Throwable cause = (ex instanceof CompletionException) ? ex.getCause() : ex;
				return Map.of("worker", this.workerId, "error", cause.getClass().getSimpleName() + ": " + cause.getMessage());
			}
		}

		// The same, the asking thread waiting for the answer itself
		@GetMapping("/ask-blocking/{to}/{topic}")
		Map<String, Object> askBlocking(@PathVariable int to, @PathVariable String topic) {
			try {
				Object answer = this.messenger.ask(to, topic, "from " + this.workerId, Object.class,
						Duration.ofSeconds(5));
				return Map.of("worker", this.workerId, "answer", String.valueOf(answer));
			}
			catch (ClusterMessagingException ex) {
				return Map.of("worker", this.workerId, "error", "ClusterMessagingException: " + ex.getMessage());
			}
		}

		// A payload whose names the application's Jackson settings decide
		@GetMapping("/ask-master-person/{firstName}")
		Map<String, Object> askMasterPerson(@PathVariable String firstName) {
			Object answer = this.messenger.request(ClusterMessenger.MASTER, "person", new Person(firstName), String.class,
					Duration.ofSeconds(5)).join();
			return Map.of("worker", this.workerId, "answer", answer);
		}

		@GetMapping("/ping")
		String ping() {
			return "pong";
		}

		// Which process answered, as plain text of a known length, for keep-alive clients
		@GetMapping("/pid")
		String pid() {
			return "{\"pid\":" + ProcessHandle.current().pid() + "}";
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

		@GetMapping("/max-heap")
		String maxHeap() {
			return String.valueOf(Runtime.getRuntime().maxMemory());
		}

		// Writes to standard output, as a chatty application does
		@GetMapping("/print/{kilobytes}")
		Map<String, Long> print(@PathVariable int kilobytes) {
			String line = "x".repeat(99);
			for (int i = 0; i < kilobytes * 10; i++) {
				System.out.println(line);
			}
			return whoAmI();
		}

		// Starts this application again as a child of this process, as an application that
		// runs a tool of its own would
		@GetMapping("/spawn")
		Map<String, Long> spawn(@RequestParam List<String> args) throws IOException {
			List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
					"-cp", System.getProperty("java.class.path"), TestApplication.class.getName()));
			command.addAll(args);
			Path log = Files.createTempFile("spawned-", ".log");
			Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
			return Map.of("pid", child.pid());
		}

		@GetMapping("/")
		Map<String, Long> whoAmI() {
			return Map.of("worker", (long) this.workerId, "pid", ProcessHandle.current().pid());
		}

	}

	// A counter in the HTTP session, which the master keeps for every worker
	@RestController
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	static class ServletSessions {

		private final int workerId;

		ServletSessions(@Value("${cluster.worker.id:0}") int workerId) {
			this.workerId = workerId;
		}

		@GetMapping("/session/count")
		Map<String, Object> count(HttpSession session) {
			Integer count = (Integer) session.getAttribute("count");
			session.setAttribute("count", (count != null) ? count + 1 : 1);
			return Map.of("worker", this.workerId, "count", session.getAttribute("count"));
		}

		@GetMapping("/session/keep/{kilobytes}")
		Map<String, Object> keep(HttpSession session, @PathVariable int kilobytes) {
			session.setAttribute("kept", new byte[kilobytes * 1024]);
			return Map.of("worker", this.workerId);
		}

	}

	@RestController
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	static class ReactiveSessions {

		private final int workerId;

		ReactiveSessions(@Value("${cluster.worker.id:0}") int workerId) {
			this.workerId = workerId;
		}

		@GetMapping("/session/count")
		Mono<Map<String, Object>> count(WebSession session) {
			Integer count = session.getAttribute("count");
			session.getAttributes().put("count", (count != null) ? count + 1 : 1);
			return Mono.just(Map.of("worker", this.workerId, "count", session.getAttributes().get("count")));
		}

	}

}
