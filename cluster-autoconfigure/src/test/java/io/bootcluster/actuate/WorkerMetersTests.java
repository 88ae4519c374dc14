package io.bootcluster.actuate;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.bootcluster.internal.ipc.Action;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.mock;

/**
 * Two workers' Prometheus registries, one mirroring the other's meters as a scrape through
 * the shared port would.
 */
class WorkerMetersTests {

	private final MasterClient master = mock(MasterClient.class);

	@Test
	void mirroredMetersScrapeAlongsideTheirLocalTwinsWhateverTheirKind() {
		PrometheusMeterRegistry first = workerRegistry(1);
		PrometheusMeterRegistry second = workerRegistry(2);
		meters(first, 5);
		meters(second, 3);
		WorkerMeters firstMeters = new WorkerMeters(first, this.master);
		WorkerMeters secondMeters = new WorkerMeters(second, this.master);
		ObjectNode others = JsonMapper.builder().build().createObjectNode();
		others.set("1", firstMeters.snapshot());
		given(this.master.ask(eq(Action.METRICS), any(JsonNode.class), any(Duration.class))).willReturn(reply(others));
		secondMeters.refresh();
		secondMeters.refresh();
		String scrape = second.scrape();
		assertThat(scrape).contains("orders_total{cluster_worker=\"1\"} 5.0", "orders_total{cluster_worker=\"2\"} 3.0",
				"queue_size{cluster_worker=\"1\"} 5.0", "calls_seconds_count{cluster_worker=\"1\"} 5",
				"calls_seconds_count{cluster_worker=\"2\"} 3");
		// Kinds that cannot be rebuilt faithfully stay the sending worker's own
		assertThat(scrape).doesNotContain("payload_bytes_count{cluster_worker=\"1\"}",
				"latency_seconds_count{cluster_worker=\"1\"}", "jobs_active_seconds_active_count{cluster_worker=\"1\"}");
		assertThat(second.find("orders").meters()).hasSize(2);
	}

	@Test
	void metersOfAWorkerThatIsGoneAreRemoved() {
		PrometheusMeterRegistry first = workerRegistry(1);
		PrometheusMeterRegistry second = workerRegistry(2);
		meters(first, 1);
		ObjectNode others = JsonMapper.builder().build().createObjectNode();
		others.set("1", new WorkerMeters(first, this.master).snapshot());
		given(this.master.ask(eq(Action.METRICS), any(JsonNode.class), any(Duration.class))).willReturn(reply(others),
				reply(JsonMapper.builder().build().createObjectNode()));
		WorkerMeters secondMeters = new WorkerMeters(second, this.master);
		secondMeters.refresh();
		assertThat(second.find("orders").tag("cluster.worker", "1").meter()).isNotNull();
		secondMeters.refresh();
		assertThat(second.find("orders").tag("cluster.worker", "1").meter()).isNull();
	}

	@Test
	void metersThatDidNotFitInOneReplyAreAskedForAgain() {
		PrometheusMeterRegistry first = workerRegistry(1);
		PrometheusMeterRegistry second = workerRegistry(2);
		PrometheusMeterRegistry third = workerRegistry(3);
		meters(first, 1);
		meters(third, 3);
		ObjectNode fromFirst = JsonMapper.builder().build().createObjectNode();
		fromFirst.set("1", new WorkerMeters(first, this.master).snapshot());
		ObjectNode partial = reply(fromFirst);
		partial.putArray("more").add(3);
		ObjectNode fromThird = JsonMapper.builder().build().createObjectNode();
		fromThird.set("3", new WorkerMeters(third, this.master).snapshot());
		given(this.master.ask(eq(Action.METRICS), any(JsonNode.class), any(Duration.class))).willReturn(partial,
				reply(fromThird));
		new WorkerMeters(second, this.master).refresh();
		assertThat(second.find("orders").tag("cluster.worker", "1").meter()).isNotNull();
		assertThat(second.find("orders").tag("cluster.worker", "3").meter()).isNotNull();
		then(this.master).should()
			.ask(eq(Action.METRICS), eq(JsonMapper.builder().build().createObjectNode().set("workers",
					JsonMapper.builder().build().createArrayNode().add(3))), any(Duration.class));
	}

	private static ObjectNode reply(ObjectNode meters) {
		ObjectNode reply = JsonMapper.builder().build().createObjectNode();
		reply.set("meters", meters);
		reply.putArray("more");
		return reply;
	}

	private static PrometheusMeterRegistry workerRegistry(int id) {
		PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
		registry.config().meterFilter(new WorkerTagFilter(id));
		return registry;
	}

	private static void meters(PrometheusMeterRegistry registry, int n) {
		Counter.builder("orders").register(registry).increment(n);
		Gauge.builder("queue.size", new AtomicInteger(n), AtomicInteger::get).register(registry);
		Timer calls = Timer.builder("calls").register(registry);
		Timer latency = Timer.builder("latency").publishPercentileHistogram().register(registry);
		DistributionSummary payload = DistributionSummary.builder("payload").baseUnit("bytes").register(registry);
		for (int i = 0; i < n; i++) {
			calls.record(Duration.ofMillis(10));
			latency.record(Duration.ofMillis(10));
			payload.record(100);
		}
		LongTaskTimer.builder("jobs.active").register(registry).start();
	}

}
