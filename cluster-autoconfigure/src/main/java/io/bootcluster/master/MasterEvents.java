package io.bootcluster.master;

import java.util.function.Consumer;

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
 */
final class MasterEvents implements Consumer<ApplicationEvent> {

	private final SimpleApplicationEventMulticaster applicationListeners = new SimpleApplicationEventMulticaster();

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
		this.applicationListeners.multicastEvent(event);
		ApplicationContext context = this.masterContext;
		if (context != null) {
			context.publishEvent(event);
		}
	}

}
