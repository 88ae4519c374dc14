package io.bootcluster.autoconfigure;

import java.io.IOException;
import java.util.List;

import io.bootcluster.autoconfigure.FirstStepRunListener.FirstStep;
import io.bootcluster.internal.ipc.WorkerIdentity;
import io.bootcluster.master.ClusterMaster;
import io.bootcluster.master.HeadStart;
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
 * set up; what the application's first step found ({@link FirstStepRunListener}) comes
 * through the bootstrap context.
 */
class ClusterRunListener implements SpringApplicationRunListener, Ordered {

	private final SpringApplication application;

	private final String[] args;

	private @Nullable WorkerRuntime worker;

	ClusterRunListener(SpringApplication application, String[] args) {
		this.application = application;
		this.args = args;
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public void environmentPrepared(ConfigurableBootstrapContext bootstrapContext,
			ConfigurableEnvironment environment) {
		FirstStep firstStep = bootstrapContext.getOrElse(FirstStep.class, FirstStep.NOT_FIRST);
		if (!firstStep.firstInJvm() || ClusterSkipCheck.shouldSkip()) {
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
					this.application, environment, firstStep.headStart());
			System.exit(master.run());
		}
		HeadStart headStart = firstStep.headStart();
		if (headStart != null) {
			headStart.abandon();
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
