package io.bootcluster.autoconfigure;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import io.bootcluster.internal.ipc.UserDirectory;
import io.bootcluster.master.ClusterMaster;
import io.bootcluster.master.ManagementServer;
import io.bootcluster.master.RestartPolicy;
import io.bootcluster.worker.WorkerOptions;
import org.jspecify.annotations.Nullable;

import org.springframework.core.env.Environment;
import org.springframework.util.unit.DataSize;

/**
 * Builds what the master and the workers run with from the checked
 * {@link ClusterProperties}: the one place where properties become settings.
 */
public final class ClusterSettings {

	private ClusterSettings() {
	}

	/**
	 * The master's settings.
	 * @param properties the checked properties
	 * @param args the application's arguments, passed on to every worker
	 * @param environment the environment, for the actuator's access settings
	 * @return the settings
	 */
	public static ClusterMaster.MasterSettings master(ClusterProperties properties, List<String> args,
			Environment environment) {
		ClusterProperties.Restart restart = properties.getRestart();
		ClusterProperties.Worker worker = properties.getWorker();
		RestartPolicy restartPolicy = new RestartPolicy(restart.getInitialBackoff(), restart.getBackoffMultiplier(),
				restart.getMaxBackoff(), restart.getStableUptime(), restart.getMaxCrashes());
		return new ClusterMaster.MasterSettings(properties.requestedWorkers(), properties.getStandbyWorkers(),
				worker.getMinMemory().toBytes(), List.copyOf(args), worker.getJvmArguments(),
				worker.getStartupTimeout(), worker.getHeartbeatTimeout(), properties.getShutdownTimeout(),
				restartPolicy, maxFrameSize(properties), sessionBounds(properties),
				management(properties, environment),
				classDataDirectory(worker.getClassDataSharing()));
	}

	/**
	 * A worker's options.
	 * @param properties the checked properties
	 * @return the options
	 */
	static WorkerOptions worker(ClusterProperties properties) {
		ClusterProperties.Worker worker = properties.getWorker();
		return new WorkerOptions(worker.getOnUncaughtException(), worker.getMaxRequests(),
				(worker.getMaxHeapAfterGc() != null) ? worker.getMaxHeapAfterGc().toBytes() : 0,
				WorkerOptions.HEARTBEAT_INTERVAL);
	}

	/**
	 * The largest frame the channel takes, in bytes.
	 * @param properties the checked properties
	 * @return the size
	 */
	static int maxFrameSize(ClusterProperties properties) {
		return (int) properties.getIpc().getMaxFrameSize().toBytes();
	}

	// A quarter of the master's heap by default: the master holds little else
	private static ClusterMaster.SessionBounds sessionBounds(ClusterProperties properties) {
		ClusterProperties.Sessions sessions = properties.getSessions();
		long maxBytes = (sessions.getMaxBytes() != null) ? sessions.getMaxBytes().toBytes()
				: Runtime.getRuntime().maxMemory() / 4;
		return new ClusterMaster.SessionBounds(maxBytes, maxSessionSize(properties));
	}

	/**
	 * How much one HTTP session may take, in bytes.
	 * @param properties the checked properties
	 * @return the size
	 */
	static long maxSessionSize(ClusterProperties properties) {
		DataSize size = properties.getSessions().getMaxSessionSize();
		return (size != null) ? size.toBytes()
				: ClusterPropertyRules.maxSessionSize(properties.getIpc().getMaxFrameSize().toBytes());
	}

	/**
	 * The master's own endpoint, which follows the same access settings as the workers'
	 * actuator.
	 * @param properties the checked properties
	 * @param environment the environment
	 * @return its settings
	 */
	static ManagementServer.Settings management(ClusterProperties properties, Environment environment) {
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

	private static @Nullable Path classDataDirectory(ClusterProperties.ClassDataSharing classDataSharing) {
		if (!classDataSharing.isEnabled()) {
			return null;
		}
		Path directory = classDataSharing.getDirectory();
		return (directory != null) ? directory : UserDirectory.root();
	}

}
