package io.bootcluster.actuate;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * Tags every meter of this worker with {@code cluster.worker}, so that one scrape can
 * carry every worker's series side by side. Meters that already carry the tag (another
 * worker's, mirrored here) and the master's own {@code cluster.*} meters are left alone.
 */
public class WorkerTagFilter implements MeterFilter {

	/** The tag that says which worker a series belongs to. */
	public static final String WORKER_TAG = "cluster.worker";

	private final Tag tag;

	public WorkerTagFilter(int workerId) {
		this.tag = Tag.of(WORKER_TAG, Integer.toString(workerId));
	}

	@Override
	public Meter.Id map(Meter.Id id) {
		if (ClusterMeters.isClusterMeter(id.getName()) || id.getTag(WORKER_TAG) != null) {
			return id;
		}
		return id.withTag(this.tag);
	}

}
