package io.bootcluster.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Http;
import io.bootcluster.test.KeepAliveLoad;
import io.bootcluster.test.Processes;
import io.bootcluster.testapp.web.TestApplication;
import tools.jackson.databind.JsonNode;

/**
 * A cluster of two workers and a standby under keep-alive load, and a seeded random
 * schedule of the faults nobody scripts one by one: a worker killed, a worker or the whole
 * cluster stopped past the heartbeat timeout, a worker out of memory, a rolling restart
 * among the faults, scaling up and down, a burst of messages, garbage on the channel, a
 * reader of the master's output that stalls. Then the cluster is stopped and checked: back
 * to its workers, every failed request one that was in flight on a worker that was killed,
 * no process left, the port and the channel's directory freed, and the next start works.
 * Further runs kill the master while it starts its workers, during a rolling restart and
 * during the class data archive's training, in turn, and check that nothing outlives it.
 * <p>
 * Run by {@code benchmarks/chaos.sh} for minutes, and by the build for one.
 */
public final class ChaosRun {

	private static final Duration STARTUP = Duration.ofSeconds(90);

	private static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(4);

	// A failure on a fresh connection (no worker had answered on it yet) counts against a
	// kill that came this long before it at most: when the kill took the last worker that
	// listened, as long as its replacement takes to start. On two cores, beside two other
	// workers starting and the load, that took 16 s
	private static final Duration KILL_REACH = Duration.ofSeconds(20);

	private final Random random;

	private final Duration duration;

	private final int masterKills;

	private final Consumer<String> log;

	// When each fault that may fail requests happened, and which worker it hit (-1 for any)
	private final Map<Long, Long> kills = new ConcurrentHashMap<>();

	private final List<Long> outOfMemory = new ArrayList<>();

	// When the whole cluster was stopped
	private final List<Long> pauses = new ArrayList<>();

	private final List<String> problems = new ArrayList<>();

	private int faults;

	private int scaledTo = 2;

	public ChaosRun(long seed, Duration duration, int masterKills, Consumer<String> log) {
		this.random = new Random(seed);
		this.duration = duration;
		this.masterKills = masterKills;
		this.log = log;
	}

	public static void main(String[] args) throws Exception {
		long seed = (args.length > 0) ? Long.parseLong(args[0]) : 1;
		Duration duration = Duration.ofSeconds((args.length > 1) ? Long.parseLong(args[1]) : 180);
		int masterKills = (args.length > 2) ? Integer.parseInt(args[2]) : 3;
		Result result = new ChaosRun(seed, duration, masterKills, System.out::println).run();
		System.out.println(result.refusedLine());
		System.out.println(result.line());
		result.problems().forEach((problem) -> System.out.println("chaos problem: " + problem));
		System.exit(result.problems().isEmpty() ? 0 : 1);
	}

	/**
	 * Runs the schedule, then the checks.
	 * @return what happened
	 * @throws Exception if the run itself fails
	 */
	public Result run() throws Exception {
		int port = Processes.freePort();
		int masterPort = Processes.freePort();
		long requests;
		List<KeepAliveLoad.Failure> failed;
		Duration recovered;
		List<Long> workers;
		Path channel;
		try (ClusterProcess master = start(port, masterPort)) {
			master.awaitLines("EVENT listening worker=\\d+", 2, STARTUP);
			long anyWorker = members(masterPort).get(0);
			channel = Path.of(Processes.environmentOf(anyWorker, "CLUSTER_IPC_SOCKET").orElseThrow());
			try (KeepAliveLoad load = KeepAliveLoad.start(port, "/pid", 4)) {
				long end = System.nanoTime() + this.duration.toNanos();
				while (System.nanoTime() < end) {
					fault(master, port, masterPort);
					this.faults++;
					Processes.sleep(Duration.ofMillis(500 + this.random.nextInt(2000)));
				}
				recovered = awaitRecovered(masterPort);
				load.awaitMore(100, Duration.ofSeconds(30));
				requests = load.succeeded();
				failed = load.failedRequests();
			}
			workers = master.descendants().stream().map(ProcessHandle::pid).toList();
			master.terminate();
			if (master.awaitExit(Duration.ofSeconds(60)) != 0) {
				this.problems.add("the master did not exit 0 on SIGTERM");
			}
		}
		int orphans = orphans(workers);
		checkFreed(port, channel);
		startAndStop();
		for (int run = 0; run < this.masterKills; run++) {
			orphans += killMaster(run % 3);
		}
		// A connection refused reached no worker: every worker was down at once. Those are
		// counted apart from the requests that failed in flight
		List<KeepAliveLoad.Failure> refused = failed.stream()
			.filter((failure) -> failure.what().startsWith(ConnectException.class.getName()))
			.toList();
		failed = failed.stream().filter((failure) -> !refused.contains(failure)).toList();
		List<KeepAliveLoad.Failure> unexplained = failed.stream().filter((failure) -> !explained(failure)).toList();
		refused.stream()
			.filter((failure) -> !explained(failure))
			.forEach((failure) -> this.problems.add("a connection was refused after no kill: " + failure));
		unexplained.forEach((failure) -> this.problems.add("a request failed on no killed worker: " + failure));
		if (orphans > 0) {
			this.problems.add(orphans + " processes outlived their master");
		}
		return new Result(this.faults, requests + failed.size(), failed.size(), failed.size() - unexplained.size(),
				refused.size(), downtime(refused), recovered, orphans, List.copyOf(this.problems));
	}

	private ClusterProcess start(int port, int masterPort) {
		return ClusterProcess.startClass(TestApplication.class, "--server.port=" + port, "--cluster.workers=2",
				"--cluster.standby-workers=1", "--cluster.master.management-port=" + masterPort,
				"--management.endpoint.cluster.access=unrestricted",
				"--cluster.worker.heartbeat-timeout=" + HEARTBEAT_TIMEOUT.toSeconds() + "s",
				"--cluster.worker.jvm-arguments=-Xmx128m", "--cluster.worker.on-uncaught-exception=replace");
	}

	private void fault(ClusterProcess master, int port, int masterPort) throws Exception {
		List<Long> members = members(masterPort);
		long victim = members.isEmpty() ? -1 : members.get(this.random.nextInt(members.size()));
		int pick = this.random.nextInt(12);
		String name = switch (pick) {
			case 0, 1, 2 -> killWorker(victim);
			case 3 -> stopWorker(victim);
			case 4 -> pauseCluster(master);
			case 5 -> outOfMemory(port);
			case 6 -> command(masterPort, "{\"action\":\"restart\"}", "rolling restart");
			case 7 -> scale(masterPort);
			case 8 -> messageBurst(port);
			case 9 -> garbage(victim);
			case 10 -> stallOutput(master);
			default -> killWorker(victim);
		};
		this.log.accept(String.format(Locale.ROOT, "fault %d: %s", this.faults + 1, name));
	}

	private String killWorker(long pid) {
		if (pid <= 0) {
			return "no worker listening to kill";
		}
		return signalAsKill(pid, "KILL") ? "SIGKILL worker pid " + pid : "worker pid " + pid + " had already exited";
	}

	// Recorded before it is sent, for the requests in flight on the worker, unless the
	// worker had already exited
	private boolean signalAsKill(long pid, String signal) {
		long at = System.nanoTime();
		this.kills.put(at, pid);
		if (Processes.signalIfAlive(pid, signal)) {
			return true;
		}
		this.kills.remove(at);
		return false;
	}

	// Past the heartbeat timeout: the master takes it for hung and kills it
	private String stopWorker(long pid) {
		if (pid > 0) {
			if (!signalAsKill(pid, "STOP")) {
				return "worker pid " + pid + " had already exited";
			}
			try {
				Processes.sleep(HEARTBEAT_TIMEOUT.plusSeconds(2));
			}
			finally {
				Processes.signalIfAlive(pid, "CONT");
			}
		}
		return "SIGSTOP worker pid " + pid + " for " + HEARTBEAT_TIMEOUT.plusSeconds(2).toSeconds() + "s";
	}

	// Ctrl-Z or docker pause: every process stops, and all come back whole
	private String pauseCluster(ClusterProcess master) {
		List<Long> all = new ArrayList<>();
		all.add(master.pid());
		master.descendants().forEach((process) -> all.add(process.pid()));
		synchronized (this.pauses) {
			this.pauses.add(System.nanoTime());
		}
		// A worker that a restart retires, or a command the master runs, may end before its signal
		try {
			all.forEach((pid) -> Processes.signalIfAlive(pid, "STOP"));
			Processes.sleep(HEARTBEAT_TIMEOUT.plusSeconds(2));
		}
		finally {
			all.forEach((pid) -> Processes.signalIfAlive(pid, "CONT"));
		}
		return "SIGSTOP the whole cluster for " + HEARTBEAT_TIMEOUT.plusSeconds(2).toSeconds() + "s";
	}

	private String outOfMemory(int port) {
		synchronized (this.outOfMemory) {
			this.outOfMemory.add(System.nanoTime());
		}
		try {
			Http.get(port, "/oom");
		}
		catch (IOException ex) {
			// The worker may answer nothing
		}
		return "OutOfMemoryError in a worker";
	}

	private String scale(int masterPort) throws IOException {
		this.scaledTo = (this.scaledTo == 2) ? 3 : 2;
		return command(masterPort, "{\"action\":\"scale\",\"workers\":" + this.scaledTo + "}",
				"scale to " + this.scaledTo);
	}

	private static String command(int masterPort, String json, String name) throws IOException {
		// Refused while a restart runs, say: that is a fault of its own kind
		int status = Http.send("POST", masterPort, "/actuator/cluster", json).status();
		return name + " (" + status + ")";
	}

	private static String messageBurst(int port) {
		try {
			return "a burst of 2,000 messages (" + Http.get(port, "/tell-master-in-order/2000").status() + ")";
		}
		catch (IOException ex) {
			// The faults before may have left no worker listening for a moment
			return "a burst of messages, with no worker listening (" + ex.getMessage() + ")";
		}
	}

	private String garbage(long pid) {
		String socket = (pid > 0) ? Processes.environmentOf(pid, "CLUSTER_IPC_SOCKET").orElse(null) : null;
		if (socket != null) {
			try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
				channel.connect(UnixDomainSocketAddress.of(socket));
				byte[] bytes = new byte[1 + this.random.nextInt(500)];
				this.random.nextBytes(bytes);
				channel.write(ByteBuffer.wrap(bytes));
			}
			catch (IOException ex) {
				// Closed by the master first
			}
		}
		return "garbage on the channel";
	}

	private static String stallOutput(ClusterProcess master) {
		master.pauseOutput();
		Processes.sleep(Duration.ofSeconds(5));
		master.resumeOutput();
		return "nobody reads the master's output for 5s";
	}

	// Every worker the cluster wants is listening, and no restart runs
	private Duration awaitRecovered(int masterPort) throws IOException {
		long started = System.nanoTime();
		long deadline = started + Duration.ofMinutes(2).toNanos();
		while (System.nanoTime() < deadline) {
			JsonNode status = Http.get(masterPort, "/actuator/cluster").json();
			JsonNode restart = status.get("restart");
			boolean restarting = restart != null && !restart.isNull() && "running".equals(restart.get("state").asString());
			if (!restarting && members(status).size() == status.get("desiredWorkers").asInt()) {
				return Duration.ofNanos(System.nanoTime() - started);
			}
			Processes.sleep(Duration.ofMillis(100));
		}
		this.problems.add("the cluster was not back to its workers within 2 minutes");
		return Duration.ofMinutes(2);
	}

	private static List<Long> members(int masterPort) throws IOException {
		return members(Http.get(masterPort, "/actuator/cluster").json());
	}

	private static List<Long> members(JsonNode status) {
		List<Long> pids = new ArrayList<>();
		for (JsonNode worker : status.get("workers")) {
			if (worker.get("state").asString().equals("listening") && !worker.get("standby").asBoolean()) {
				pids.add(worker.get("pid").asLong());
			}
		}
		return pids;
	}

	// How long no worker listened, from the refused connections: attempts come every 10 ms
	// from each client, so those less than 100 ms apart belong to one span
	private static Duration downtime(List<KeepAliveLoad.Failure> refused) {
		List<Long> times = refused.stream().map(KeepAliveLoad.Failure::at).sorted().toList();
		long total = 0;
		for (int i = 1; i < times.size(); i++) {
			long gap = times.get(i) - times.get(i - 1);
			if (gap < Duration.ofMillis(100).toNanos()) {
				total += gap;
			}
		}
		return Duration.ofNanos(total);
	}

	private boolean explained(KeepAliveLoad.Failure failure) {
		if (failure.pid() > 0 && this.kills.containsValue(failure.pid())) {
			return true;
		}
		boolean fresh = failure.pid() < 0;
		boolean afterKill = this.kills.keySet().stream().anyMatch((at) -> within(failure.at(), at));
		boolean afterOutOfMemory;
		synchronized (this.outOfMemory) {
			afterOutOfMemory = this.outOfMemory.stream().anyMatch((at) -> within(failure.at(), at));
		}
		return (fresh && afterKill) || afterOutOfMemory || connectTimedOutInPause(failure);
	}

	// A worker retiring in a rolling restart drops new handshakes for a moment before it
	// closes its listener (the handshake fence). Stopped in that moment, it keeps them
	// dropped for the whole pause, longer than the load's 5 s connect timeout; the clients
	// whose connections the kernel hands to that listener time out
	private boolean connectTimedOutInPause(KeepAliveLoad.Failure failure) {
		if (!failure.what().contains("Connect timed out")) {
			return false;
		}
		long reach = HEARTBEAT_TIMEOUT.plusSeconds(2).plusSeconds(5).toNanos();
		synchronized (this.pauses) {
			return this.pauses.stream().anyMatch((at) -> failure.at() >= at && failure.at() - at <= reach);
		}
	}

	private static boolean within(long failedAt, long faultAt) {
		return failedAt >= faultAt && failedAt - faultAt <= KILL_REACH.toNanos();
	}

	private int orphans(List<Long> pids) {
		long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
		while (System.nanoTime() < deadline && pids.stream().anyMatch(ChaosRun::alive)) {
			Processes.sleep(Duration.ofMillis(100));
		}
		List<Long> left = pids.stream().filter(ChaosRun::alive).toList();
		left.forEach((pid) -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
		return left.size();
	}

	private static boolean alive(long pid) {
		return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
	}

	private void checkFreed(int port, Path channel) {
		if (Http.accepts(port)) {
			this.problems.add("port " + port + " still accepts connections");
		}
		if (Files.exists(channel.getParent())) {
			this.problems.add("the channel's directory " + channel.getParent() + " is left");
		}
	}

	private void startAndStop() {
		int port = Processes.freePort();
		try (ClusterProcess master = start(port, Processes.freePort())) {
			master.awaitLines("EVENT listening worker=\\d+", 2, STARTUP);
			master.terminate();
			if (master.awaitExit(Duration.ofSeconds(60)) != 0) {
				this.problems.add("the next start did not stop cleanly");
			}
		}
		catch (AssertionError ex) {
			this.problems.add("the next start failed: " + ex.getMessage());
		}
	}

	// SIGKILL of the master while it forks, starts or restarts its workers, or while it
	// trains the class data archive: every process under it ends within seconds, and the
	// port is free again
	private int killMaster(int moment) throws IOException {
		int port = Processes.freePort();
		int masterPort = Processes.freePort();
		List<Long> workers = new ArrayList<>();
		try (ClusterProcess master = (moment == 2) ? startTraining(port, masterPort) : start(port, masterPort)) {
			if (moment == 0) {
				master.awaitLine("EVENT fork worker=1", STARTUP);
				Processes.sleep(Duration.ofMillis(this.random.nextInt(4000)));
			}
			else if (moment == 1) {
				master.awaitLines("EVENT listening worker=\\d+", 2, STARTUP);
				command(masterPort, "{\"action\":\"restart\"}", "rolling restart");
				Processes.sleep(Duration.ofMillis(this.random.nextInt(3000)));
			}
			else {
				awaitTraining(master);
			}
			master.descendants().forEach((process) -> workers.add(process.pid()));
			this.log.accept("SIGKILL the master " + List.of("while it starts", "during a rolling restart",
					"during the class data archive's training").get(moment) + ", with " + workers.size()
					+ " processes under it");
			master.kill();
		}
		int orphans = orphans(workers);
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (Http.accepts(port) && System.nanoTime() < deadline) {
			Processes.sleep(Duration.ofMillis(100));
		}
		if (Http.accepts(port)) {
			this.problems.add("port " + port + " still served after its master was killed");
		}
		return orphans;
	}

	// With a class data archive to make: from jars, since the JVM archives none from
	// directories
	private ClusterProcess startTraining(int port, int masterPort) throws IOException {
		Path jars = Files.createTempDirectory("chaos-jars");
		Path archives = Files.createTempDirectory("chaos-archives");
		return ClusterProcess.startClassFromJars(jars, TestApplication.class, "--server.port=" + port,
				"--cluster.workers=2", "--cluster.master.management-port=" + masterPort,
				"--cluster.worker.class-data-sharing.enabled=true",
				"--cluster.worker.class-data-sharing.directory=" + archives);
	}

	private static void awaitTraining(ClusterProcess master) {
		long deadline = System.nanoTime() + STARTUP.toNanos();
		while (System.nanoTime() < deadline) {
			boolean training = master.descendants().stream().anyMatch(ChaosRun::isTraining);
			if (training) {
				return;
			}
			Processes.sleep(Duration.ofMillis(50));
		}
		throw new AssertionError("No training run began within " + STARTUP.toSeconds() + "s");
	}

	private static boolean isTraining(ProcessHandle process) {
		try {
			return String.join(" ", Processes.commandLineOf(process.pid()))
				.matches(".*-XX:(ArchiveClassesAtExit|AOTCacheOutput)=.*");
		}
		catch (UncheckedIOException ex) {
			// Gone meanwhile
			return false;
		}
	}

	/**
	 * What a run found.
	 *
	 * @param faults the faults made
	 * @param requests the requests sent
	 * @param failed the requests that failed
	 * @param inFlightOnKilled the failed requests that were in flight on a worker killed
	 * @param refused connections refused while no worker listened, after faults that took
	 * every worker at once
	 * @param downtime how long, in all, no worker listened
	 * @param recovered how long the cluster took to be back to its workers after the last
	 * fault
	 * @param orphans processes that outlived their master
	 * @param problems what went wrong, in words
	 */
	public record Result(int faults, long requests, int failed, int inFlightOnKilled, int refused,
			Duration downtime, Duration recovered, int orphans, List<String> problems) {

		public String refusedLine() {
			return String.format(Locale.ROOT, "chaos refused: %d connections while no worker listened, %d ms in all",
					this.refused, this.downtime.toMillis());
		}

		public String line() {
			return String.format(Locale.ROOT,
					"chaos: %d faults, %d requests, %d failed (%d in flight on killed workers), recovered in %.1f s, "
							+ "%d orphans",
					this.faults, this.requests, this.failed, this.inFlightOnKilled, this.recovered.toMillis() / 1000.0,
					this.orphans);
		}

	}

}
