package io.bootcluster.actuate;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.bootcluster.internal.ipc.Action;
import io.bootcluster.internal.ipc.FrameCodec;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Makes this worker's registry show every worker's meters. Each worker sends its own
 * meters when the master gathers them; before a metrics read, this worker asks the master
 * for everyone else's and mirrors them, tagged with their {@code cluster.worker}, next to
 * its own. So {@code /actuator/metrics/{name}} sums over the cluster, and a Prometheus
 * scrape lists one series per worker, wherever the shared port sends the request.
 */
public class WorkerMeters {

	// The master gives each worker 2s to answer
	private static final Duration REFRESH_TIMEOUT = Duration.ofSeconds(4);

	// Rounds of asking for the meters that did not fit in one reply: a few frames' worth
	private static final int MAX_ROUNDS = 8;

	private final MeterRegistry registry;

	private final MasterClient master;

	private final Map<String, Mirror> mirrors = new ConcurrentHashMap<>();

	public WorkerMeters(MeterRegistry registry, MasterClient master) {
		this.registry = registry;
		this.master = master;
	}

	/**
	 * This worker's own meters, for the master to hand to the others.
	 * @return one object per meter
	 */
	public JsonNode snapshot() {
		ArrayNode meters = FrameCodec.mapper().createArrayNode();
		Set<Meter.Id> mirrored = mirroredIds();
		for (Meter meter : this.registry.getMeters()) {
			Meter.Id id = meter.getId();
			if (ClusterMeters.isClusterMeter(id.getName()) || mirrored.contains(id) || !mirrorable(meter)) {
				continue;
			}
			ObjectNode node = meters.addObject()
				.put("name", id.getName())
				.put("type", id.getType().name())
				.put("unit", id.getBaseUnit())
				.put("description", id.getDescription());
			ObjectNode tags = node.putObject("tags");
			id.getTags()
				.stream()
				.filter((tag) -> !tag.getKey().equals(WorkerTagFilter.WORKER_TAG))
				.forEach((tag) -> tags.put(tag.getKey(), tag.getValue()));
			ObjectNode values = node.putObject("values");
			if (meter instanceof Timer timer) {
				values.put("COUNT", timer.count()).put("TOTAL_TIME", timer.totalTime(TimeUnit.SECONDS));
			}
			else if (meter instanceof FunctionTimer timer) {
				values.put("COUNT", timer.count()).put("TOTAL_TIME", timer.totalTime(TimeUnit.SECONDS));
			}
			else {
				for (Measurement measurement : meter.measure()) {
					if (Double.isFinite(measurement.getValue())) {
						values.put(measurement.getStatistic().name(), measurement.getValue());
					}
				}
			}
		}
		return meters;
	}

	/**
	 * Whether another worker can show this meter faithfully. Counters, gauges and timers
	 * without histogram buckets can; a summary, a histogram or a long task timer would be
	 * rebuilt as another kind of meter under the same name, which a Prometheus scrape
	 * refuses.
	 * @param meter the meter
	 * @return whether to send it
	 */
	static boolean mirrorable(Meter meter) {
		return switch (meter.getId().getType()) {
			case COUNTER, GAUGE -> true;
			case TIMER -> !(meter instanceof Timer timer) || timer.takeSnapshot().histogramCounts().length == 0;
			default -> false;
		};
	}

	/**
	 * Asks the master for every other worker's meters and mirrors them here. Meters of
	 * workers that are gone, or that a worker no longer has, are removed.
	 */
	public synchronized void refresh() {
		ObjectNode byWorker = FrameCodec.mapper().createObjectNode();
		try {
			// Workers whose meters did not fit in the master's reply are asked for again
			JsonNode body = NullNode.getInstance();
			for (int round = 0; round < MAX_ROUNDS; round++) {
				JsonNode reply = this.master.ask(Action.METRICS, body, REFRESH_TIMEOUT);
				byWorker.setAll((ObjectNode) reply.get("meters"));
				JsonNode more = reply.get("more");
				if (more == null || more.isEmpty()) {
					break;
				}
				body = FrameCodec.mapper().createObjectNode().set("workers", more);
			}
		}
		catch (RuntimeException ex) {
			return;
		}
		Set<String> seen = new HashSet<>();
		for (Map.Entry<String, JsonNode> worker : byWorker.properties()) {
			for (JsonNode meter : worker.getValue()) {
				String key = worker.getKey() + "|" + meter.get("name").asString() + "|" + meter.get("tags");
				seen.add(key);
				this.mirrors.computeIfAbsent(key, (k) -> new Mirror(this.registry, worker.getKey(), meter))
					.update(meter.get("values"));
			}
		}
		this.mirrors.entrySet().removeIf((entry) -> {
			if (seen.contains(entry.getKey())) {
				return false;
			}
			this.registry.remove(entry.getValue().meter);
			return true;
		});
	}

	private Set<Meter.Id> mirroredIds() {
		Set<Meter.Id> ids = new HashSet<>();
		this.mirrors.values().forEach((mirror) -> ids.add(mirror.meter.getId()));
		return ids;
	}

	/**
	 * Another worker's meter, registered here with that worker's latest values.
	 */
	private static final class Mirror {

		private final Map<String, Double> values = new ConcurrentHashMap<>();

		private final Meter meter;

		Mirror(MeterRegistry registry, String workerId, JsonNode meter) {
			String name = meter.get("name").asString();
			Meter.Type type = Meter.Type.valueOf(meter.get("type").asString());
			// Only counters, gauges and timers are sent: see mirrorable()
			Tags tags = Tags.of(WorkerTagFilter.WORKER_TAG, workerId);
			for (Map.Entry<String, JsonNode> tag : meter.get("tags").properties()) {
				tags = tags.and(Tag.of(tag.getKey(), tag.getValue().asString()));
			}
			String unit = text(meter, "unit");
			String description = text(meter, "description");
			this.meter = switch (type) {
				case COUNTER -> FunctionCounter.builder(name, this, (m) -> m.value("COUNT"))
					.tags(tags)
					.baseUnit(unit)
					.description(description)
					.register(registry);
				case GAUGE -> Gauge.builder(name, this, (m) -> m.value("VALUE"))
					.tags(tags)
					.baseUnit(unit)
					.description(description)
					.register(registry);
				default -> FunctionTimer
					.builder(name, this, (m) -> (long) m.value("COUNT"), (m) -> m.value("TOTAL_TIME"), TimeUnit.SECONDS)
					.tags(tags)
					.description(description)
					.register(registry);
			};
		}

		void update(JsonNode values) {
			for (Map.Entry<String, JsonNode> value : values.properties()) {
				this.values.put(value.getKey(), value.getValue().asDouble());
			}
		}

		double value(String statistic) {
			return this.values.getOrDefault(statistic, Double.NaN);
		}

		private static String text(JsonNode meter, String field) {
			JsonNode value = meter.get(field);
			return (value == null || value.isNull()) ? null : value.asString();
		}

	}

}
