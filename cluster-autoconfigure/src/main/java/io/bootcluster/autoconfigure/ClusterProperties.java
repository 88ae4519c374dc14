package io.bootcluster.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

import io.bootcluster.worker.UncaughtExceptionPolicy;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties for running the application as a cluster.
 */
@ConfigurationProperties(ClusterProperties.PREFIX)
public class ClusterProperties {

	static final String PREFIX = "cluster";

	static final String AUTO = "auto";

	/**
	 * Whether to run the application as a cluster when cluster.workers is set.
	 */
	private boolean enabled = true;

	/**
	 * Number of worker processes: 'auto' for one per CPU available to the JVM, or a whole
	 * number of at least 1. Unset, the application runs as a single process.
	 */
	private @Nullable String workers;

	/**
	 * Spare workers kept started but not serving: when a worker dies, a standby takes its
	 * place at once (it only has to start its web server), and a new standby is started
	 * once it serves.
	 */
	private int standbyWorkers;

	/**
	 * Time a worker gets to finish in-flight requests and exit once asked to go, when the
	 * master stops or replaces it, before it is killed.
	 */
	private Duration shutdownTimeout = Duration.ofSeconds(30);

	private final Worker worker = new Worker();

	private final Restart restart = new Restart();

	private final Ipc ipc = new Ipc();

	private final Master master = new Master();

	private final Scheduling scheduling = new Scheduling();

	private final Sessions sessions = new Sessions();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public @Nullable String getWorkers() {
		return this.workers;
	}

	public void setWorkers(@Nullable String workers) {
		this.workers = workers;
	}

	public int getStandbyWorkers() {
		return this.standbyWorkers;
	}

	public void setStandbyWorkers(int standbyWorkers) {
		this.standbyWorkers = standbyWorkers;
	}

	public Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	public Worker getWorker() {
		return this.worker;
	}

	public Restart getRestart() {
		return this.restart;
	}

	public Ipc getIpc() {
		return this.ipc;
	}

	public Master getMaster() {
		return this.master;
	}

	public Scheduling getScheduling() {
		return this.scheduling;
	}

	public Sessions getSessions() {
		return this.sessions;
	}

	/**
	 * Binds the properties from an environment that has no application context yet, and
	 * checks them.
	 * @param binder the binder
	 * @return the checked properties
	 * @throws InvalidClusterPropertyException if a property has a value it cannot take
	 */
	static ClusterProperties get(Binder binder) {
		ClusterProperties properties;
		try {
			properties = binder.bind(PREFIX, ClusterProperties.class).orElseGet(ClusterProperties::new);
		}
		catch (BindException ex) {
			ConfigurationProperty property = ex.getProperty();
			if (property == null) {
				throw ex;
			}
			String name = property.getName().toString();
			throw new InvalidClusterPropertyException(name, property.getValue(), ClusterPropertyRules.accepted(name));
		}
		properties.check(binder);
		return properties;
	}

	/**
	 * Whether the properties ask for a cluster.
	 * @return whether this application should run as a cluster
	 */
	boolean isClustered() {
		return this.enabled && this.workers != null;
	}

	/**
	 * The number of workers to run.
	 * @param availableProcessors the CPUs the JVM may use
	 * @return the number of workers
	 */
	@Nullable Integer requestedWorkers() {
		String value = (this.workers != null) ? this.workers.trim() : "";
		return AUTO.equals(value.toLowerCase(Locale.ROOT)) ? null : resolveWorkers(() -> 1);
	}

	int resolveWorkers(IntSupplier availableProcessors) {
		String value = (this.workers != null) ? this.workers.trim() : "";
		if (AUTO.equals(value.toLowerCase(Locale.ROOT))) {
			return availableProcessors.getAsInt();
		}
		try {
			int count = Integer.parseInt(value);
			if (count >= 1) {
				return count;
			}
		}
		catch (NumberFormatException ex) {
			// Reported below
		}
		throw new InvalidClusterPropertyException(PREFIX + ".workers", this.workers, ClusterPropertyRules.WORKERS);
	}

	private void check(Binder binder) {
		if (!isClustered()) {
			return;
		}
		resolveWorkers(() -> 1);
		ClusterPropertyRules.check(this, binder);
	}

	/**
	 * Worker process properties.
	 */
	public static class Worker {

		/**
		 * Id of this worker, set by the master in each worker's environment
		 * (CLUSTER_WORKER_ID); unset in the master and in a single-process run.
		 */
		private @Nullable Integer id;

		/**
		 * Slot of this worker, from 0 to the number of workers less one, which its
		 * replacements inherit, set by the master (CLUSTER_WORKER_SLOT); unset in the
		 * master, in a single-process run, and in a standby until it takes a slot over.
		 */
		private @Nullable Integer slot;

		/**
		 * JVM options for the workers only, added after the options the master was started
		 * with.
		 */
		private List<String> jvmArguments = new ArrayList<>();

		/**
		 * Memory a worker needs at least, heap and everything else: with 'auto', no more
		 * workers start than the memory the JVM may use holds at this much each.
		 */
		private DataSize minMemory = DataSize.ofMegabytes(512);

		/**
		 * Time a starting worker may go without progress (using under 5% of a core)
		 * before it is killed and counted as a crash. A start that keeps progressing gets
		 * up to ten times as long, to listen and be ready.
		 */
		private Duration startupTimeout = Duration.ofSeconds(60);

		/**
		 * Time without a heartbeat after which a worker counts as hung: its thread dump is
		 * written to the log, then it is killed and replaced. Deadlocked threads stop a
		 * worker's heartbeats.
		 */
		private Duration heartbeatTimeout = Duration.ofSeconds(30);

		/**
		 * Time a retiring worker waits for its open connections to finish and close, after
		 * it has stopped taking new ones, before it closes the rest.
		 */
		private Duration drainTimeout = Duration.ofSeconds(10);

		/**
		 * What a worker does when one of its threads dies of an uncaught exception, or it
		 * meets a VirtualMachineError while serving a request.
		 */
		private UncaughtExceptionPolicy onUncaughtException = UncaughtExceptionPolicy.REPLACE;

		/**
		 * Requests after which a worker is replaced, plus a random jitter of up to a tenth
		 * so workers do not recycle together; 0 for no limit.
		 */
		private long maxRequests;

		/**
		 * Heap in use after garbage collection above which a worker is replaced; unset for
		 * no limit.
		 */
		private @Nullable DataSize maxHeapAfterGc;

		private final ClassDataSharing classDataSharing = new ClassDataSharing();

		public @Nullable Integer getId() {
			return this.id;
		}

		public @Nullable Integer getSlot() {
			return this.slot;
		}

		public void setSlot(@Nullable Integer slot) {
			this.slot = slot;
		}

		public void setId(@Nullable Integer id) {
			this.id = id;
		}

		public List<String> getJvmArguments() {
			return this.jvmArguments;
		}

		public void setJvmArguments(List<String> jvmArguments) {
			this.jvmArguments = jvmArguments;
		}

		public Duration getStartupTimeout() {
			return this.startupTimeout;
		}

		public void setStartupTimeout(Duration startupTimeout) {
			this.startupTimeout = startupTimeout;
		}

		public DataSize getMinMemory() {
			return this.minMemory;
		}

		public void setMinMemory(DataSize minMemory) {
			this.minMemory = minMemory;
		}

		public Duration getHeartbeatTimeout() {
			return this.heartbeatTimeout;
		}

		public void setHeartbeatTimeout(Duration heartbeatTimeout) {
			this.heartbeatTimeout = heartbeatTimeout;
		}

		public Duration getDrainTimeout() {
			return this.drainTimeout;
		}

		public void setDrainTimeout(Duration drainTimeout) {
			this.drainTimeout = drainTimeout;
		}

		public UncaughtExceptionPolicy getOnUncaughtException() {
			return this.onUncaughtException;
		}

		public void setOnUncaughtException(UncaughtExceptionPolicy onUncaughtException) {
			this.onUncaughtException = onUncaughtException;
		}

		public long getMaxRequests() {
			return this.maxRequests;
		}

		public void setMaxRequests(long maxRequests) {
			this.maxRequests = maxRequests;
		}

		public @Nullable DataSize getMaxHeapAfterGc() {
			return this.maxHeapAfterGc;
		}

		public void setMaxHeapAfterGc(@Nullable DataSize maxHeapAfterGc) {
			this.maxHeapAfterGc = maxHeapAfterGc;
		}

		public ClassDataSharing getClassDataSharing() {
			return this.classDataSharing;
		}

	}

	/**
	 * Class data sharing for the workers: an archive of the application's classes, created
	 * once and mapped by every worker, so that workers start faster and share those pages.
	 */
	public static class ClassDataSharing {

		/**
		 * Whether workers start from a class data archive (or, on Java 25 and later, an AOT
		 * cache) that the master creates in the background once the cluster is up.
		 */
		private boolean enabled = true;

		/**
		 * Directory that keeps the archives, and the extracted copies of executable jars they
		 * need; only its user may write to it. 'boot-cluster-<user>' in the temporary
		 * directory when unset.
		 */
		private @Nullable Path directory;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public @Nullable Path getDirectory() {
			return this.directory;
		}

		public void setDirectory(@Nullable Path directory) {
			this.directory = directory;
		}

	}

	/**
	 * Replacement of crashed workers.
	 */
	public static class Restart {

		/**
		 * Delay before replacing a worker after the first crash in a row.
		 */
		private Duration initialBackoff = Duration.ofMillis(100);

		/**
		 * Factor by which each further crash in a row lengthens the delay.
		 */
		private double backoffMultiplier = 1.5;

		/**
		 * Longest delay before replacing a crashed worker.
		 */
		private Duration maxBackoff = Duration.ofSeconds(15);

		/**
		 * Uptime after which a worker counts as stable: its next crash starts a new row,
		 * with the initial delay.
		 */
		private Duration stableUptime = Duration.ofSeconds(30);

		/**
		 * Crashes in a row, each before the stable uptime, after which a worker slot is no
		 * longer respawned.
		 */
		private int maxCrashes = 10;

		public Duration getInitialBackoff() {
			return this.initialBackoff;
		}

		public void setInitialBackoff(Duration initialBackoff) {
			this.initialBackoff = initialBackoff;
		}

		public double getBackoffMultiplier() {
			return this.backoffMultiplier;
		}

		public void setBackoffMultiplier(double backoffMultiplier) {
			this.backoffMultiplier = backoffMultiplier;
		}

		public Duration getMaxBackoff() {
			return this.maxBackoff;
		}

		public void setMaxBackoff(Duration maxBackoff) {
			this.maxBackoff = maxBackoff;
		}

		public Duration getStableUptime() {
			return this.stableUptime;
		}

		public void setStableUptime(Duration stableUptime) {
			this.stableUptime = stableUptime;
		}

		public int getMaxCrashes() {
			return this.maxCrashes;
		}

		public void setMaxCrashes(int maxCrashes) {
			this.maxCrashes = maxCrashes;
		}

	}

	/**
	 * The application's {@code @Scheduled} methods in a cluster.
	 */
	public static class Scheduling {

		/**
		 * Where scheduled methods run: only in the worker that leads the cluster, or in
		 * every worker.
		 */
		private RunOn runOn = RunOn.LEADER;

		public RunOn getRunOn() {
			return this.runOn;
		}

		public void setRunOn(RunOn runOn) {
			this.runOn = runOn;
		}

		/**
		 * Where scheduled methods run.
		 */
		public enum RunOn {

			/** Only in the worker that leads the cluster: once per cluster. */
			LEADER,

			/** In every worker, as without the cluster: N times. */
			EVERY_WORKER

		}

	}

	/**
	 * HTTP sessions kept by the master for every worker, when Spring Session is on the
	 * class path and the application defines no session repository of its own.
	 */
	public static class Sessions {

		/**
		 * Memory all sessions may take in the master; beyond it, the sessions idle the
		 * longest are evicted. Unset, a quarter of the master's maximum heap.
		 */
		private @Nullable DataSize maxBytes;

		/**
		 * Memory one session may take, its attributes serialized; saving a larger session
		 * fails. Unset, as much as one frame of the channel carries (about three quarters of
		 * cluster.ipc.max-frame-size).
		 */
		private @Nullable DataSize maxSessionSize;

		public @Nullable DataSize getMaxBytes() {
			return this.maxBytes;
		}

		public void setMaxBytes(@Nullable DataSize maxBytes) {
			this.maxBytes = maxBytes;
		}

		public @Nullable DataSize getMaxSessionSize() {
			return this.maxSessionSize;
		}

		public void setMaxSessionSize(@Nullable DataSize maxSessionSize) {
			this.maxSessionSize = maxSessionSize;
		}

	}

	/**
	 * Channel between the master and the workers.
	 */
	public static class Ipc {

		/**
		 * Largest frame the channel accepts; a peer that sends a larger one is
		 * disconnected.
		 */
		private DataSize maxFrameSize = DataSize.ofMegabytes(1);

		public DataSize getMaxFrameSize() {
			return this.maxFrameSize;
		}

		public void setMaxFrameSize(DataSize maxFrameSize) {
			this.maxFrameSize = maxFrameSize;
		}

	}

	/**
	 * The master process.
	 */
	public static class Master {

		/**
		 * Port on which the master serves /actuator/cluster itself, so the cluster stays
		 * observable while no worker is up. Unset, the master serves nothing.
		 */
		private @Nullable Integer managementPort;

		/**
		 * Address the master's management port binds to.
		 */
		private String managementAddress = "127.0.0.1";

		public @Nullable Integer getManagementPort() {
			return this.managementPort;
		}

		public void setManagementPort(@Nullable Integer managementPort) {
			this.managementPort = managementPort;
		}

		public String getManagementAddress() {
			return this.managementAddress;
		}

		public void setManagementAddress(String managementAddress) {
			this.managementAddress = managementAddress;
		}

	}

}
