package io.bootcluster.autoconfigure;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.bootcluster.internal.ipc.WorkerIdentity;
import io.bootcluster.master.HeadStart;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringApplicationRunListener;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;

/**
 * Takes Spring Boot's background preinitializer out of an application whose launch has a
 * plan from its last start ({@link HeadStart}), before Boot's own run listener: the only
 * point where a starter can. Such a JVM is a master whose first workers
 * {@link ClusterRunListener} forks as it starts, and that thread would warm Jackson, Tomcat
 * and the message converters for a web application the master never runs (about 0.4 s of
 * CPU), on the cores its first worker is starting on. A JVM that turns out not to be a
 * master after all starts once without that warming, and removes the plan. A later
 * application in the same JVM (rare) starts without it too.
 */
class FirstStepRunListener implements SpringApplicationRunListener, Ordered {

	private static final String BACKGROUND_PREINITIALIZER = "org.springframework.boot.autoconfigure.preinitialize."
			+ "BackgroundPreinitializingApplicationListener";

	private final SpringApplication application;

	private final String[] args;

	FirstStepRunListener(SpringApplication application, String[] args) {
		this.application = application;
		this.args = args;
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public void starting(ConfigurableBootstrapContext bootstrapContext) {
		if (WorkerIdentity.current() == null && !ClusterSkipCheck.shouldSkip()
				&& HeadStart.planned(List.of(this.args))) {
			withoutBackgroundPreinitializer(this.application);
		}
	}

	// Boot's own run listener hands the application's listeners to its events from its first
	// event on, so they are taken out before it
	static void withoutBackgroundPreinitializer(SpringApplication application) {
		Set<ApplicationListener<?>> listeners = new LinkedHashSet<>(application.getListeners());
		if (listeners.removeIf((listener) -> listener.getClass().getName().equals(BACKGROUND_PREINITIALIZER))) {
			application.setListeners(listeners);
		}
	}

}
