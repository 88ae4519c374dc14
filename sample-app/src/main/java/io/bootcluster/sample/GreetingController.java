package io.bootcluster.sample;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.bootcluster.ClusterMessageEvent;
import io.bootcluster.ClusterMessenger;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.event.EventListener;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * Greetings from a cache that each worker keeps for itself. Clearing it on one worker
 * clears it on every worker: a broadcast tells the others.
 */
@RestController
class GreetingController {

	private static final Log logger = LogFactory.getLog(GreetingController.class);

	private static final String CLEAR = "greetings.cache.clear";

	private final Map<String, String> cache = new ConcurrentHashMap<>();

	private final ClusterMessenger messenger;

	GreetingController(ClusterMessenger messenger) {
		this.messenger = messenger;
	}

	@GetMapping("/greetings/{name}")
	Map<String, Object> greeting(@PathVariable String name) {
		String greeting = this.cache.computeIfAbsent(name, (key) -> "Hello, " + key + " (made " + Instant.now() + ")");
		return Map.of("worker", this.messenger.id(), "greeting", greeting);
	}

	@DeleteMapping("/greetings/cache")
	Map<String, Object> clearEverywhere() {
		int cleared = clear();
		this.messenger.broadcast(CLEAR, this.messenger.id());
		return Map.of("worker", this.messenger.id(), "cleared", cleared, "told", this.messenger.workers());
	}

	@EventListener(condition = "#root.event.topic == '" + CLEAR + "'")
	void clearAskedBy(ClusterMessageEvent event) {
		logger.info("Cleared " + clear() + " cached greetings, as worker " + event.getSender() + " asked");
	}

	private int clear() {
		int size = this.cache.size();
		this.cache.clear();
		return size;
	}

}
