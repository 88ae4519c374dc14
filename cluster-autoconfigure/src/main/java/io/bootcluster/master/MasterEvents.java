package io.bootcluster.master;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.bootcluster.ClusterMessageEvent;
import io.bootcluster.internal.ipc.DaemonThreads;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.SimpleApplicationEventMulticaster;
import org.springframework.scheduling.support.TaskUtils;

/**
 * Delivers the master's events: to the listeners registered on the
 * {@link SpringApplication} (no application context exists in the master to do it), and
 * to the master's own context when the application has master-side configuration.
 * <p>
 * Worker events are delivered one at a time, in the order the supervisor published them,
 * on a thread of their own ({@code cluster-events}): a listener that is slow (it posts an
 * alert over HTTP) or fails holds up no handshake, fork or exit on the supervisor's loop.
 * Messages are delivered on the messenger's thread, which waits for their answers. A
 * listener that looks at the {@code Cluster} sees it as it is when the listener runs,
 * while the event's snapshot tells how the worker was.
 */
final class MasterEvents implements Consumer<ApplicationEvent>, AutoCloseable {

	private static final Log logger = LogFactory.getLog(MasterEvents.class);

	// Events still queued when the master stops get this long to reach their listeners
	private static final long DRAIN_SECONDS = 10;

	private final SimpleApplicationEventMulticaster applicationListeners = new SimpleApplicationEventMulticaster();

	private final ExecutorService delivery = Executors.newSingleThreadExecutor(DaemonThreads.factory("cluster-events"));

	private volatile @Nullable ApplicationContext masterContext;

	MasterEvents(SpringApplication application) {
		application.getListeners().forEach(this.applicationListeners::addApplicationListener);
		this.applicationListeners.setErrorHandler(TaskUtils.LOG_AND_SUPPRESS_ERROR_HANDLER);
	}

	void setMasterContext(@Nullable ApplicationContext masterContext) {
		this.masterContext = masterContext;
	}

	@Override
	public void accept(ApplicationEvent event) {
		// A message comes on the messenger's own thread, which waits for its listeners'
		// answer: it is delivered there and then
		if (event instanceof ClusterMessageEvent) {
			deliver(event);
			return;
		}
		try {
			this.delivery.execute(() -> deliver(event));
		}
		catch (RejectedExecutionException ex) {
			// The master is stopping and no longer delivers
		}
	}

	private void deliver(ApplicationEvent event) {
		this.applicationListeners.multicastEvent(event);
		ApplicationContext context = this.masterContext;
		if (context != null) {
			try {
				context.publishEvent(event);
			}
			catch (RuntimeException ex) {
				logger.error("A master-side listener failed on " + event.getClass().getSimpleName(), ex);
			}
		}
	}

	/**
	 * Delivers the events still queued, then stops.
	 */
	@Override
	public void close() {
		this.delivery.shutdown();
		try {
			if (!this.delivery.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS)) {
				logger.warn("Master-side listeners still busy after " + DRAIN_SECONDS + "s: the master stops "
						+ "without them");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
