package io.bootcluster.autoconfigure;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.bootcluster.internal.ipc.WorkerIdentity;
import io.bootcluster.master.HeadStart;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringApplicationRunListener;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;

/**
 * The application's first step, before Spring Boot's own run listener: in a JVM that ran
 * as a master before, forks the workers its last start forked first ({@link HeadStart}),
 * once per JVM, for {@link ClusterRunListener} to take over in the application that
 * claims the JVM. That is not always the first to start: with DevTools, the first run
 * only starts the application again, on another thread, from inside Boot's own listener.
 * <p>
 * While workers forked ahead wait to be taken over, it also takes Spring Boot's background
 * preinitializer out of every application, which only a run listener ahead of Boot's own
 * can do: that thread warms Jackson, Tomcat and the message converters for a web
 * application that a master never runs (about 0.4 s of CPU), on the cores its first worker
 * is starting on. A JVM that turns out not to be a master after all starts once without
 * that warming; the plan it followed is then removed.
 * <p>
 * Thread-safe: the head start is forked at most once per JVM, and handed over once.
 */
class FirstStepRunListener implements SpringApplicationRunListener, Ordered {

	private static final String BACKGROUND_PREINITIALIZER = "org.springframework.boot.autoconfigure.preinitialize."
			+ "BackgroundPreinitializingApplicationListener";

	private static final AtomicBoolean headStartTried = new AtomicBoolean();

	private static final AtomicReference<@Nullable HeadStart> forkedAhead = new AtomicReference<>();

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
				&& headStartTried.compareAndSet(false, true)) {
			// Before Boot reads the configuration, which takes a second or more: a master
			// forks the workers its last start forked first, and checks its plan later
			forkedAhead.set(HeadStart.begin(List.of(this.args)));
		}
		if (forkedAhead.get() != null) {
			withoutBackgroundPreinitializer(this.application);
		}
	}

	/**
	 * Hands over the workers forked ahead, once.
	 * @return the workers forked at the application's first step, or {@code null}
	 */
	static @Nullable HeadStart takeHeadStart() {
		return forkedAhead.getAndSet(null);
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
