package io.bootcluster.actuate;

import java.time.Duration;

import io.bootcluster.internal.control.ClusterPage;
import io.bootcluster.internal.control.StatusBroadcast;
import io.bootcluster.internal.ipc.Action;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.NullNode;

import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;

/**
 * The cluster's status for the live pages this worker serves: the master's status, asked
 * once a second while any page watches (see {@link StatusBroadcast}), and whether the
 * pages may show their buttons. Every stream ends as soon as this worker's application
 * starts to close, so that an open page never holds up a graceful shutdown or a rolling
 * restart: the page reconnects, to another worker.
 */
public class ClusterStatusFeed implements ApplicationListener<ContextClosedEvent> {

	/**
	 * The order of the page's mappings: just before the actuator's endpoints ({@code -100}),
	 * whose {@code DELETE <endpoint>/{id}} would otherwise answer the page's paths with
	 * {@code 405}.
	 */
	static final int MAPPING_ORDER = -101;

	// Within the tick: a master that does not answer holds no page up for long
	private static final Duration ASK_TIMEOUT = Duration.ofSeconds(1);

	private final StatusBroadcast broadcast;

	private final ApplicationContext context;

	/**
	 * A feed of the master's status.
	 * @param master asks the master
	 * @param writable whether the endpoint takes writes, so the pages show their buttons
	 * @param context the worker's application, whose closing ends the streams
	 */
	public ClusterStatusFeed(MasterClient master, boolean writable, ApplicationContext context) {
		this.broadcast = new StatusBroadcast(() -> ClusterPage.event(writable, master.ask(Action.STATUS, NullNode.getInstance(), ASK_TIMEOUT)),
				"cluster-status-feed");
		this.context = context;
	}

	/**
	 * Takes a page's place among the subscribers, if one is free.
	 * @return the place, or {@code null} when as many pages as allowed watch already
	 */
	public StatusBroadcast.@Nullable Subscription reserve() {
		return this.broadcast.reserve();
	}

	@Override
	public void onApplicationEvent(ContextClosedEvent event) {
		if (event.getApplicationContext() == this.context) {
			this.broadcast.stop();
		}
	}

}
