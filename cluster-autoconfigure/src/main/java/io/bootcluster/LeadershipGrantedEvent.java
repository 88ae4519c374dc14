package io.bootcluster;

import org.springframework.context.ApplicationEvent;

/**
 * This worker became the cluster's leader. Published in the worker's context, from a
 * thread of the cluster's.
 */
public class LeadershipGrantedEvent extends ApplicationEvent {

	public LeadershipGrantedEvent(ClusterLeadership leadership) {
		super(leadership);
	}

}
