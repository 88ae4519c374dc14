package io.bootcluster;

import java.util.OptionalInt;

/**
 * Whether this process leads the cluster. At most one worker leads at any moment: the
 * master grants leadership to the oldest worker that serves, and before it grants it to
 * another, the leader has stopped acting as one or its process is gone. What must run
 * once per cluster (a scheduled job, say) runs where {@link #isLeader()} is {@code true};
 * {@code @Scheduled} methods do so by themselves ({@code cluster.scheduling.run-on}).
 * Outside a cluster, the one process leads.
 * <p>
 * In a worker, {@link LeadershipGrantedEvent} and {@link LeadershipRevokedEvent} tell
 * when it changes.
 */
public interface ClusterLeadership {

	/**
	 * Whether this process leads now.
	 * @return whether it does
	 */
	boolean isLeader();

	/**
	 * Which worker leads.
	 * @return its id, or empty while none does (between two leaders) or outside a cluster
	 */
	OptionalInt leader();

}
