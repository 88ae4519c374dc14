package io.bootcluster.autoconfigure;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import io.bootcluster.internal.ipc.WorkerIdentity;
import io.bootcluster.master.ClusterMaster;
import io.bootcluster.master.HeadStart;
import io.bootcluster.worker.WorkerClasses;
import io.bootcluster.worker.WorkerRuntime;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringApplicationRunListener;
import org.springframework.boot.bootstrap.BootstrapRegistry.InstanceSupplier;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;

/**
 * The application's first step, before Spring Boot's own run listener: claims this JVM
 * for the first application it runs, and, in a JVM that ran as a master before, forks the
 * workers its last start forked first ({@link HeadStart}). What it found is handed to
 * {@link ClusterRunListener}, which decides once the configuration is read, through the
 * bootstrap context.
 * <p>
 * Where workers were forked ahead, it also takes Spring Boot's background preinitializer
 * out of the application, which only this early step can do: that thread warms Jackson,
 * Tomcat and the message converters for a web application that a master never runs (about
 * 0.4 s of CPU), on the cores its first worker is starting on. A JVM that turns out not to
 * be a master after all starts without that warming once; the plan it followed is then
 * removed.
 */
class FirstStepRunListener implements SpringApplicationRunListener, Ordered {

	private static final String BACKGROUND_PREINITIALIZER = "org.springframework.boot.autoconfigure.preinitialize."
			+ "BackgroundPreinitializingApplicationListener";

	private static final AtomicBoolean jvmClaimed = new AtomicBoolean();

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
		// An application started while another is starting (a bootstrap context, say) is not
		// the one to cluster, nor is any application started after the first
		boolean firstInJvm = jvmClaimed.compareAndSet(false, true);
		if (firstInJvm && WorkerIdentity.current() != null) {
			WorkerRuntime.ignoreInterrupts();
		}
		if (firstInJvm && System.getenv(ClusterMaster.TRAINING_ENV) != null) {
			prepareTrainingRun();
		}
		HeadStart headStart = null;
		if (firstInJvm && WorkerIdentity.current() == null && !ClusterSkipCheck.shouldSkip()) {
			// Before Boot reads the configuration, which takes a second or more: a master
			// forks the workers its last start forked first, and checks its plan later
			headStart = HeadStart.begin(List.of(this.args));
			if (headStart != null) {
				withoutBackgroundPreinitializer(this.application);
			}
		}
		bootstrapContext.register(FirstStep.class, InstanceSupplier.of(new FirstStep(firstInJvm, headStart)));
	}

	private static void prepareTrainingRun() {
		// The class data archive's training run is its master's helper, and ends with it: a
		// master killed with SIGKILL has no time to end it
		ProcessHandle.current()
			.parent()
			.ifPresent((master) -> master.onExit().thenRun(() -> Runtime.getRuntime().halt(1)));
		// Workers start from the archive it writes, and load the cluster's own classes,
		// which the application alone never does
		try {
			WorkerClasses.load();
		}
		catch (RuntimeException | LinkageError ex) {
			// The archive then holds the application's classes only: the training goes on
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

	/**
	 * What the first step found.
	 *
	 * @param firstInJvm whether this is the first application this JVM runs
	 * @param headStart the workers forked ahead, if any
	 */
	record FirstStep(boolean firstInJvm, @Nullable HeadStart headStart) {

		static final FirstStep NOT_FIRST = new FirstStep(false, null);

	}

}
