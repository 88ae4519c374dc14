package io.bootcluster;

import org.springframework.context.ApplicationEvent;

/**
 * This worker no longer leads the cluster: it is leaving, or lost its master. A listener
 * that holds the leader's work stops it here; the master grants leadership to another
 * worker only once the listeners have run and the scheduled tasks this worker ran as the
 * leader have ended. Published in the worker's context, from a thread of the cluster's.
 */
public class LeadershipRevokedEvent extends ApplicationEvent {

	public LeadershipRevokedEvent(ClusterLeadership leadership) {
		super(leadership);
	}

}
