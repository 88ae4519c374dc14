package io.bootcluster.autoconfigure;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.bootcluster.internal.ipc.WorkerIdentity;
import io.bootcluster.master.ClusterMaster;
import io.bootcluster.master.HeadStart;
import io.bootcluster.worker.WorkerClasses;
import io.bootcluster.worker.WorkerRuntime;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringApplicationRunListener;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Decides, once the environment is prepared, what this JVM is:
 * <ul>
 * <li>a <em>worker</em> when its master set {@code CLUSTER_WORKER_ID}: it joins the master
 * and runs the application;</li>
 * <li>the <em>master</em> when {@code cluster.workers} is set: it runs the cluster in place
 * of the application, whose context is never created, and exits when the cluster
 * stops;</li>
 * <li>neither otherwise, and always in tests, during AOT processing, and for any
 * application but the first this JVM runs.</li>
 * </ul>
 * Runs after Boot's own listeners, so {@code application.yml} is loaded and logging is
 * set up. With DevTools, the first run never gets here: Boot's own listener runs the
 * application again, on another thread, and ends the first run.
 */
class ClusterRunListener implements SpringApplicationRunListener, Ordered {

	private static final AtomicBoolean jvmClaimed = new AtomicBoolean();

	private final SpringApplication application;

	private final String[] args;

	private boolean firstInJvm;

	private @Nullable WorkerRuntime worker;

	private @Nullable HeadStart headStart;

	ClusterRunListener(SpringApplication application, String[] args) {
		this.application = application;
		this.args = args;
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public void starting(ConfigurableBootstrapContext bootstrapContext) {
		// An application started while another is starting (a bootstrap context, say) is not
		// the one to cluster, nor is any application started after the first
		this.firstInJvm = jvmClaimed.compareAndSet(false, true);
		if (this.firstInJvm && WorkerIdentity.current() != null) {
			WorkerRuntime.ignoreInterrupts();
		}
		if (this.firstInJvm && System.getenv(ClusterMaster.TRAINING_ENV) != null) {
			// The class data archive's training run is its master's helper, and ends with it:
			// a master killed with SIGKILL has no time to end it
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
		if (this.firstInJvm && WorkerIdentity.current() == null && !ClusterSkipCheck.shouldSkip()) {
			// Before Boot reads the configuration, which takes a second or more: a master
			// forks the workers its last start forked first, and checks its plan later
			this.headStart = HeadStart.begin(List.of(this.args));
		}
	}

	@Override
	public void environmentPrepared(ConfigurableBootstrapContext bootstrapContext,
			ConfigurableEnvironment environment) {
		if (!this.firstInJvm || ClusterSkipCheck.shouldSkip()) {
			return;
		}
		ClusterProperties properties = ClusterProperties.get(Binder.get(environment));
		try {
			this.worker = WorkerRuntime.join(WorkerIdentity.current(), ClusterSettings.maxFrameSize(properties),
					ClusterSettings.worker(properties));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex.getMessage(), ex);
		}
		if (this.worker == null && properties.isClustered()) {
			ClusterMaster master = new ClusterMaster(ClusterSettings.master(properties, List.of(this.args), environment),
					this.application, environment, this.headStart);
			System.exit(master.run());
		}
		if (this.headStart != null) {
			this.headStart.abandon();
		}
	}

	@Override
	public void contextPrepared(ConfigurableApplicationContext context) {
		if (this.worker != null) {
			context.getBeanFactory().registerSingleton("clusterWorkerRuntime", this.worker);
			this.worker.attach(context);
		}
	}

}
