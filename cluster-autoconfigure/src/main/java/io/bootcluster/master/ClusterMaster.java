package io.bootcluster.master;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.bootcluster.ClusterMasterConfiguration;
import io.bootcluster.ClusterStatus;
import io.bootcluster.internal.ipc.ChannelAddress;
import io.bootcluster.internal.ipc.ChannelServer;
import io.bootcluster.internal.ipc.DaemonThreads;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.messaging.AnsweringEventListenerFactory;
import io.bootcluster.server.HandshakeFence;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.util.ClassUtils;

/**
 * The master process: runs in place of the application, on its main thread, until the
 * cluster stops. It opens the channel, forks the workers through a {@link Supervisor},
 * and turns SIGTERM and SIGINT into a graceful stop of every worker.
 */
public final class ClusterMaster {

	/**
	 * Set in the environment of the run that trains a class data archive: the application
	 * then runs alone, as if no cluster were configured.
	 */
	public static final String TRAINING_ENV = "CLUSTER_TRAINING_RUN";

	private static final String JACKSON_AUTO_CONFIGURATION = "org.springframework.boot.jackson.autoconfigure."
			+ "JacksonAutoConfiguration";

	private static final Log logger = LogFactory.getLog(ClusterMaster.class);

	private static final int TRAINING_ATTEMPTS = 3;

	private static final Duration TRAINING_RETRY_DELAY = Duration.ofMinutes(1);

	private final MasterSettings settings;

	private final SpringApplication application;

	private final ConfigurableEnvironment environment;

	private final @Nullable HeadStart headStart;

	/**
	 * Creates the master of an application.
	 * @param settings the cluster's settings
	 * @param application the application
	 * @param environment its environment
	 * @param headStart the workers forked at the application's start, if any
	 */
	public ClusterMaster(MasterSettings settings, SpringApplication application, ConfigurableEnvironment environment,
			@Nullable HeadStart headStart) {
		this.settings = settings;
		this.application = application;
		this.environment = environment;
		this.headStart = headStart;
	}

	/**
	 * Runs the cluster until it is stopped.
	 * @return the exit code for the master's JVM
	 */
	public int run() {
		try {
			return plan();
		}
		finally {
			// Forked ahead of a master that failed to plan
			if (this.headStart != null) {
				this.headStart.end();
			}
		}
	}

	private int plan() {
		// From here on, a reader of the master's output that stalls holds nothing up
		MasterOutput.install();
		CompilerPriority.lower();
		boolean reusePort = SharedPort.reusePortSupported();
		String unbalanced = !reusePort ? "its JDK offers no SO_REUSEPORT for server sockets"
				: !System.getProperty("os.name", "").startsWith("Linux")
						? "its kernel does not spread connections across SO_REUSEPORT listeners" : null;
		Integer requested = this.settings.workers();
		if (unbalanced != null && (requested == null || requested > 1)) {
			logger.warn("Running a single worker on " + System.getProperty("os.name") + ": " + unbalanced
					+ ". Workers share a port on Linux only.");
			requested = 1;
		}
		List<String> workerJvmArguments = new ArrayList<>(this.settings.workerJvmArguments());
		List<String> environmentOptions = WorkerCommand.environmentOptions(System.getenv());
		List<String> commandLineOptions = jvmOptions(workerJvmArguments);
		environmentOptions.forEach(commandLineOptions::remove);
		WorkerSizing sizing = WorkerSizing.plan(requested, Runtime.getRuntime().availableProcessors(), WorkerSizing.totalMemory(),
				this.settings.memoryPerWorker(), commandLineOptions, environmentOptions);
		logger.info("Cluster plan: " + sizing.description());
		workerJvmArguments.addAll(WorkerCommand.nativeAccess(jvmOptions(workerJvmArguments)));
		workerJvmArguments
			.addAll(WorkerCommand.hugePages(jvmOptions(workerJvmArguments), WorkerCommand.hugePagesMode()));
		int workers = sizing.workers();
		List<ClusterStatus.PerWorkerState> perWorkerState = PerWorkerStateDetector.of(this.environment, classLoader(),
				this.application.getWebApplicationType())
			.detect(workers + this.settings.standbyWorkers());
		if (!perWorkerState.isEmpty()) {
			logger.warn(PerWorkerStateDetector.describe(perWorkerState, workers));
		}
		int configuredPort = this.environment.getProperty("server.port", Integer.class, 8080);
		int port = configuredPort;
		List<String> arguments = new ArrayList<>(this.settings.programArguments());
		if (port == 0) {
			port = SharedPort.free();
			// Like Node's listen(0): one port chosen for the whole cluster, not one per worker
			arguments.removeIf((argument) -> argument.startsWith("--server.port="));
			arguments.add("--server.port=" + port);
		}
		else {
			// Workers forked ahead do not hold it yet: none listens before it is welcomed
			SharedPort.requireFree(this.environment.getProperty("server.address"), port);
		}
		warnWithoutConnectionMigration();
		int abandoned = ChannelAddress.removeAbandoned();
		if (abandoned > 0) {
			logger.info("Removed the channel directories of " + abandoned + " master(s) that are gone");
		}
		ChannelAddress address = (this.headStart != null) ? this.headStart.address() : ChannelAddress.create();
		try {
			return run(sizing, port, reusePort, arguments, workerJvmArguments, address, perWorkerState,
					configuredPort != 0);
		}
		finally {
			address.delete();
		}
	}

	private int run(WorkerSizing sizing, int port, boolean reusePort, List<String> arguments,
			List<String> workerJvmArguments,
			ChannelAddress address, List<ClusterStatus.PerWorkerState> perWorkerState, boolean fixedPort) {
		WorkerCommand.Launch launch = WorkerCommand.Launch.current(arguments);
		Path classDataDirectory = this.settings.classDataDirectory();
		ClassDataSharing classData = (classDataDirectory != null)
				? ClassDataSharing.plan(launch, workerJvmArguments, classDataDirectory) : null;
		WorkerOutput output = WorkerOutput.of(this.environment);
		List<String> plainCommand = WorkerCommand.build(launch, workerJvmArguments);
		WorkerLauncher launcher = new WorkerLauncher((classData != null) ? classData::command : () -> plainCommand,
				address, output, this.headStart);
		MasterEvents events = new MasterEvents(this.application);
		FrameCodec codec = new FrameCodec(this.settings.maxFrameSize());
		int workers = sizing.workers();
		Supervisor.Layout layout = new Supervisor.Layout(sizing, port, reusePort,
				Runtime.getRuntime().availableProcessors(), perWorkerState, address.socket().getParent());
		Supervisor supervisor = new Supervisor(this.settings, layout, codec, new ExecutorLoop(), launcher, events);
		Thread reaper = new Thread(ClusterMaster::killWorkers, "cluster-reaper");
		Runtime.getRuntime().addShutdownHook(reaper);
		ConfigurableApplicationContext masterContext = null;
		ManagementServer management = null;
		ControlServer control = null;
		try (ChannelServer server = ChannelServer.start(address, codec, supervisor.channel())) {
			masterContext = startMasterContext(supervisor);
			events.setMasterContext(masterContext);
			management = ManagementServer.startIfConfigured(this.settings.management(), supervisor);
			control = ControlServer.start(address.socket().getParent(), port, supervisor);
			MasterSignals.handle(supervisor::stop, supervisor::restartOnSignal);
			logger.info("Starting " + workers + " workers on port " + port
					+ ((workers > supervisor.pacing().startsAtOnce())
							? ", " + supervisor.pacing().startsAtOnce() + " at a time" : "")
					+ " (master pid " + ProcessHandle.current().pid() + ")");
			if (logger.isDebugEnabled()) {
				logger.debug("Worker command: " + launcher.command());
			}
			supervisor.start(launcher::firstRoundLaunched);
			afterStartup(supervisor, classData,
					fixedPort ? () -> launcher.recordFirstLaunches(this.settings.programArguments(), port) : () -> {
					});
			int code = supervisor.awaitTermination();
			events.close();
			logger.info("Cluster stopped");
			return code;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not open the cluster's channel at " + address.socket(), ex);
		}
		finally {
			events.close();
			if (management != null) {
				management.stop();
			}
			if (control != null) {
				control.close();
			}
			if (masterContext != null) {
				masterContext.close();
			}
			killWorkers();
			Runtime.getRuntime().removeShutdownHook(reaper);
		}
	}

	private static void warnWithoutConnectionMigration() {
		if (!"0".equals(HandshakeFence.connectionMigration())) {
			return;
		}
		String fix = "run 'sysctl -w net.ipv4.tcp_migrate_req=1' as root, and add 'net.ipv4.tcp_migrate_req = 1' "
				+ "to /etc/sysctl.d/ to keep it (Linux 5.14 or later).";
		if (HandshakeFence.isPackaged()) {
			logger.info("net.ipv4.tcp_migrate_req is 0: a retiring worker stops taking new connections "
					+ HandshakeFence.HANDSHAKE_GRACE.toMillis() + " ms before it closes its listener, so that "
					+ "the kernel resets none; a client connecting in that moment waits about a second for its "
					+ "connection to be retried. To let the kernel hand connections over instead, " + fix);
		}
		else {
			logger.warn("net.ipv4.tcp_migrate_req is 0: when a worker retires, connections still waiting in its "
					+ "listener's accept queue are reset instead of being handed to the other workers, and this "
					+ "platform lacks the native library that keeps them away. Workers close their listener before "
					+ "anything else, which keeps that window short, but only the kernel can close it: " + fix);
		}
	}

	private @Nullable ConfigurableApplicationContext startMasterContext(Supervisor cluster) {
		ClassLoader classLoader = classLoader();
		List<String> configurations = ImportCandidates.load(ClusterMasterConfiguration.class, classLoader)
			.getCandidates();
		if (configurations.isEmpty()) {
			return null;
		}
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		context.setClassLoader(classLoader);
		context.setEnvironment(this.environment);
		context.getBeanFactory().registerSingleton("cluster", cluster);
		context.getBeanFactory().registerSingleton("clusterMessenger", cluster.messenger());
		context.getBeanFactory().registerSingleton("clusterAnsweringEventListenerFactory",
				new AnsweringEventListenerFactory());
		// The master's listeners read the workers' payloads as the workers wrote them: with
		// the spring.jackson.* settings, or the JsonMapper a master configuration declares
		if (ClassUtils.isPresent(JACKSON_AUTO_CONFIGURATION, classLoader)) {
			context.register(ClassUtils.resolveClassName(JACKSON_AUTO_CONFIGURATION, classLoader));
		}
		for (String configuration : configurations) {
			context.register(ClassUtils.resolveClassName(configuration, classLoader));
		}
		context.refresh();
		context.getBeanProvider(JsonMapper.class).ifUnique(cluster.messenger()::usePayloadMapper);
		return context;
	}

	// Once the workers listen, the master gives back what it needed to start, and creates
	// the class data archive if there is none: training then no longer competes with the
	// workers' start, and workers forked later use the archive
	private void afterStartup(Supervisor supervisor, @Nullable ClassDataSharing classData, Runnable recordPlan) {
		boolean archived = classData != null && classData.archiveExists();
		boolean train = classData != null && !archived && !classData.trainingFailedBefore();
		if (classData != null) {
			logger.info(archived ? "Workers start from the class data archive " + classData.archive()
					: train ? "No class data archive for this application yet: it is created once the workers "
							+ "listen, in " + classData.archive().getParent()
							+ " (cluster.worker.class-data-sharing.enabled=false turns this off)"
							: "Workers start without a class data archive: training failed for this build before "
									+ "(delete " + classData.failureMarker() + " to try again)");
		}
		Duration timeout = this.settings.startupTimeout();
		// Workers start a few at a time, each within the longest start a progressing worker
		// is given
		Duration allStarted = supervisor.pacing()
			.allStarted(supervisor.desiredWorkers(), timeout.multipliedBy(StartupProgress.HARD_LIMIT_FACTOR));
		DaemonThreads.start("cluster-after-startup", () -> {
			boolean listening = supervisor.awaitAllServed(allStarted);
			// Checked only now, not before the first fork: a JVM that cannot map an archive
			// starts without it, so the check would only have held the workers up
			boolean unusable = archived && classData.archiveRefused(timeout);
			if (unusable) {
				logger.warn("The class data archive " + classData.archive() + " cannot be used (damaged, or made "
						+ "by another JVM): workers start without it" + (listening ? "; making it again" : ""));
				classData.discardArchive();
			}
			if (!listening) {
				return;
			}
			MasterFootprint.shrink();
			// At once, since training may wait long for a core to spare; again once it made
			// an archive, so that the next start's workers are forked mapping it
			recordPlan.run();
			if (train || unusable) {
				train(classData, timeout);
				recordPlan.run();
			}
		});
	}

	// When the machine has a core to spare; a training run killed for time, the machine
	// being busier than it looked, is tried again a little later
	private static void train(ClassDataSharing classData, Duration timeout) {
		SpareCore spareCore = SpareCore.ofThisMachine();
		try {
			for (int attempt = 1; attempt <= TRAINING_ATTEMPTS; attempt++) {
				spareCore.await("The class data archive's training run");
				if (!classData.create(timeout) || attempt == TRAINING_ATTEMPTS) {
					return;
				}
				Thread.sleep(TRAINING_RETRY_DELAY.toMillis());
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private ClassLoader classLoader() {
		return this.application.getClassLoader();
	}

	// Last resort, from the shutdown hook: whatever else happened, no worker outlives the
	// master
	private static void killWorkers() {
		ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
	}

	// Everything a worker's JVM will run with, environment variables included
	private static List<String> jvmOptions(List<String> workerJvmArguments) {
		List<String> options = new ArrayList<>(ManagementFactory.getRuntimeMXBean().getInputArguments());
		options.addAll(workerJvmArguments);
		return options;
	}

	/**
	 * How the master runs the cluster.
	 *
	 * @param workers how many workers to keep running, or {@code null} for one per CPU, as
	 * many as the memory holds
	 * @param standbyWorkers how many spare workers to keep started but not serving
	 * @param memoryPerWorker the memory a worker needs at least, in bytes
	 * @param programArguments the application's arguments, passed to every worker
	 * @param workerJvmArguments JVM options for workers only
	 * @param startupTimeout how long a worker may take from fork to listening
	 * @param heartbeatTimeout how long a worker may stay silent before it counts as hung
	 * @param shutdownTimeout how long workers get to exit when the cluster stops
	 * @param restartPolicy when crashed workers are replaced
	 * @param maxFrameSize the largest frame the channel accepts, in bytes
	 * @param sessions the bounds of the HTTP sessions the master keeps
	 * @param management where the master serves {@code /actuator/cluster} itself
	 */
	public record MasterSettings(@Nullable Integer workers, int standbyWorkers, long memoryPerWorker,
			List<String> programArguments, List<String> workerJvmArguments,
			Duration startupTimeout, Duration heartbeatTimeout, Duration shutdownTimeout, RestartPolicy restartPolicy,
			int maxFrameSize, SessionBounds sessions, ManagementServer.Settings management,
			@Nullable Path classDataDirectory) {
	}

	/**
	 * How much the HTTP sessions the master keeps may take.
	 *
	 * @param maxBytes all sessions together, in bytes
	 * @param maxSessionBytes one session, in bytes
	 */
	public record SessionBounds(long maxBytes, long maxSessionBytes) {
	}

}
