package io.bootcluster.actuate;

import java.time.Duration;

import io.bootcluster.DisconnectRequestedEvent;
import io.bootcluster.internal.control.ClusterPage;
import io.bootcluster.internal.control.StatusBroadcast;
import io.bootcluster.internal.ipc.Action;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.NullNode;

import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.Ordered;

/**
 * The cluster's status for the live pages this worker serves: the master's status, asked
 * once a second while any page watches (see {@link StatusBroadcast}), and whether the
 * pages may show their buttons. Every stream ends as soon as this worker is asked to leave
 * (before it waits for its connections to close) or its application starts to close, and
 * each stream's connection ends with it, so that an open page holds up neither a rolling
 * restart nor a graceful shutdown: the page reconnects, on a new connection, which a worker
 * that still listens takes.
 */
public class ClusterStatusFeed implements ApplicationListener<ApplicationEvent>, Ordered {

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
	public void onApplicationEvent(ApplicationEvent event) {
		if ((event instanceof DisconnectRequestedEvent || event instanceof ContextClosedEvent)
				&& event.getSource() == this.context) {
			this.broadcast.stop();
		}
	}

	// Before the shared port's listener, which waits for the open connections to close
	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
