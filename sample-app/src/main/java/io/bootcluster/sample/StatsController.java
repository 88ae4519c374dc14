package io.bootcluster.sample;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

import io.bootcluster.ClusterMessageEvent;
import io.bootcluster.ClusterMessenger;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Requests served by the whole cluster, whichever worker is asked: it asks every other
 * worker for its count and adds them up.
 */
@RestController
class StatsController {

	private static final String COUNT = "stats.requests";

	private final ClusterMessenger messenger;

	private final RequestCounter counter;

	StatsController(ClusterMessenger messenger, RequestCounter counter) {
		this.messenger = messenger;
		this.counter = counter;
	}

	@GetMapping("/stats")
	Map<String, Object> stats() {
		Map<Integer, CompletableFuture<Long>> answers = new TreeMap<>();
		for (int worker : this.messenger.workers()) {
			answers.put(worker, (worker == this.messenger.id()) ? CompletableFuture.completedFuture(this.counter.count())
					: this.messenger.request(worker, COUNT, "", Long.class, Duration.ofSeconds(2)));
		}
		Map<Integer, Object> byWorker = new TreeMap<>();
		long total = 0;
		for (Map.Entry<Integer, CompletableFuture<Long>> answer : answers.entrySet()) {
			try {
				long count = answer.getValue().join();
				byWorker.put(answer.getKey(), count);
				total += count;
			}
			catch (RuntimeException ex) {
				byWorker.put(answer.getKey(), "no answer: " + ex.getCause().getMessage());
			}
		}
		return Map.of("answeredBy", this.messenger.id(), "total", total, "byWorker", byWorker);
	}

	@EventListener(condition = "#root.event.topic == '" + COUNT + "'")
	long countAskedFor(ClusterMessageEvent event) {
		return this.counter.count();
	}

	@Component
	static class RequestCounter implements Filter {

		private final LongAdder requests = new LongAdder();

		@Override
		public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
				throws IOException, ServletException {
			this.requests.increment();
			chain.doFilter(request, response);
		}

		long count() {
			return this.requests.sum();
		}

	}

}
