package io.bootcluster.sample;

import io.bootcluster.LeadershipGrantedEvent;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * A job that must run once per cluster, not once per worker: in a cluster it runs in the
 * worker that leads (cluster.scheduling.run-on=leader, the default), and moves to another
 * worker when the leader goes.
 */
@Component
class LeaderReport {

	private static final Log logger = LogFactory.getLog(LeaderReport.class);

	private final int workerId;

	LeaderReport(@Value("${cluster.worker.id:0}") int workerId) {
		this.workerId = workerId;
	}

	@Scheduled(fixedRateString = "${sample.report-interval:60s}", initialDelayString = "${sample.report-interval:60s}")
	void report() {
		logger.info("Report, made once for the whole cluster, by worker " + this.workerId);
	}

	@EventListener
	void onLeadership(LeadershipGrantedEvent event) {
		logger.info("Worker " + this.workerId + " leads the cluster: the reports are made here from now on");
	}

}
