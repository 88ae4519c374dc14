package io.bootcluster.autoconfigure;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

import io.bootcluster.ipc.ChannelAddress;
import io.bootcluster.master.ClusterMaster;
import io.bootcluster.master.ManagementServer;
import io.bootcluster.master.RestartPolicy;
import io.bootcluster.worker.WorkerOptions;
import io.bootcluster.worker.WorkerRuntime;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringApplicationRunListener;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;

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
 * set up.
 */
class ClusterRunListener implements SpringApplicationRunListener, Ordered {

	private static final AtomicBoolean jvmClaimed = new AtomicBoolean();

	private final SpringApplication application;

	private final String[] args;

	private boolean firstInJvm;

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
	public void starting(ConfigurableBootstrapContext bootstrapContext) {
		// An application started while another is starting (a bootstrap context, say) is not
		// the one to cluster, nor is any application started after the first
		this.firstInJvm = jvmClaimed.compareAndSet(false, true);
		if (this.firstInJvm && System.getenv(ChannelAddress.WORKER_ID_ENV) != null) {
			WorkerRuntime.ignoreInterrupts();
		}
	}

	@Override
	public void environmentPrepared(ConfigurableBootstrapContext bootstrapContext,
			ConfigurableEnvironment environment) {
		if (!this.firstInJvm || ClusterSkipCheck.shouldSkip()) {
			return;
		}
		ClusterProperties properties = ClusterProperties.get(Binder.get(environment));
		int maxFrameSize = (int) properties.getIpc().getMaxFrameSize().toBytes();
		try {
			this.worker = WorkerRuntime.join(System.getenv(), maxFrameSize, workerOptions(properties));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex.getMessage(), ex);
		}
		if (this.worker == null && properties.isClustered()) {
			ClusterMaster master = new ClusterMaster(masterSettings(properties, environment), this.application,
					environment);
			System.exit(master.run());
		}
	}

	@Override
	public void contextPrepared(ConfigurableApplicationContext context) {
		if (this.worker != null) {
			context.getBeanFactory().registerSingleton("clusterWorkerRuntime", this.worker);
			this.worker.attach(context);
		}
	}

	private static WorkerOptions workerOptions(ClusterProperties properties) {
		ClusterProperties.Worker worker = properties.getWorker();
		return new WorkerOptions(worker.getOnUncaughtException(), worker.getMaxRequests(),
				(worker.getMaxHeapAfterGc() != null) ? worker.getMaxHeapAfterGc().toBytes() : 0,
				WorkerOptions.HEARTBEAT_INTERVAL);
	}

	private ClusterMaster.MasterSettings masterSettings(ClusterProperties properties, Environment environment) {
		ClusterProperties.Restart restart = properties.getRestart();
		RestartPolicy restartPolicy = new RestartPolicy(restart.getInitialBackoff(), restart.getBackoffMultiplier(),
				restart.getMaxBackoff(), restart.getStableUptime(), restart.getMaxCrashes());
		return new ClusterMaster.MasterSettings(properties.requestedWorkers(), properties.getStandbyWorkers(),
				properties.getWorker().getMinMemory().toBytes(), List.of(this.args), properties.getWorker().getJvmArguments(),
				properties.getWorker().getStartupTimeout(), properties.getWorker().getHeartbeatTimeout(),
				properties.getShutdownTimeout(), restartPolicy,
				(int) properties.getIpc().getMaxFrameSize().toBytes(), managementSettings(properties, environment),
				classDataDirectory(properties.getWorker().getClassDataSharing()));
	}

	private static @Nullable Path classDataDirectory(ClusterProperties.ClassDataSharing classDataSharing) {
		if (!classDataSharing.isEnabled()) {
			return null;
		}
		Path directory = classDataSharing.getDirectory();
		return (directory != null) ? directory : Path.of(System.getProperty("java.io.tmpdir"),
				"boot-cluster-" + System.getProperty("user.name"));
	}

	// The master's endpoint follows the same access settings as the workers' actuator
	static ManagementServer.Settings managementSettings(ClusterProperties properties,
			Environment environment) {
		String access = environment.getProperty("management.endpoint.cluster.access",
				environment.getProperty("management.endpoints.access.default", "read-only"));
		String maxPermitted = environment.getProperty("management.endpoints.access.max-permitted", "unrestricted");
		int level = Math.min(accessLevel(access), accessLevel(maxPermitted));
		return new ManagementServer.Settings(properties.getMaster().getManagementPort(),
				properties.getMaster().getManagementAddress(), level >= 1, level >= 2);
	}

	private static int accessLevel(String access) {
		return switch (access.trim().toLowerCase(Locale.ROOT).replace('_', '-')) {
			case "none" -> 0;
			case "unrestricted" -> 2;
			default -> 1;
		};
	}

}
