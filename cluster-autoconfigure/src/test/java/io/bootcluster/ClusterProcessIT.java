package io.bootcluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.stream.Stream;

import io.bootcluster.internal.ipc.ChannelAddress;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Http;
import io.bootcluster.test.ListeningSockets;
import io.bootcluster.test.Processes;
import io.bootcluster.testapp.web.TestApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One real cluster of two workers, shared by the tests in their order: it serves, is
 * watched, loses a worker to SIGKILL, and is finally stopped with SIGTERM.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterProcessIT {

	private static final Duration STARTUP = Duration.ofSeconds(90);

	private static int port;

	private static ClusterProcess master;

	@BeforeAll
	static void startCluster() {
		port = Processes.freePort();
		// A heap in JAVA_TOOL_OPTIONS, as container images size one JVM: the workers share it
		master = ClusterProcess.startClass(Map.of("JAVA_TOOL_OPTIONS", "-Xmx1g"), TestApplication.class,
				"--server.port=" + port, "--cluster.workers=2", "--cluster.worker.jvm-arguments=-Dworker.only=yes",
				"--greeting=hello \"quoted\" world", "--server.http2.enabled=true");
		master.awaitLines("EVENT listening worker=\\d+", 2, STARTUP);
	}

	@AfterAll
	static void stopCluster() {
		master.close();
	}

	@Test
	@Order(1)
	void workersShareThePortAndTheMasterDoesNotListen() throws IOException {
		Set<Long> pids = new HashSet<>();
		for (int i = 0; i < 60 && pids.size() < 2; i++) {
			Http.Response response = Http.get(port, "/");
			assertThat(response.status()).isEqualTo(200);
			pids.add(response.pid());
		}
		List<Long> children = master.process().children().map(ProcessHandle::pid).toList();
		assertThat(pids).hasSize(2).doesNotContain(master.pid());
		// Each worker has a slot of its own, as its environment says
		assertThat(pids.stream().map((pid) -> Processes.environmentOf(pid, "CLUSTER_WORKER_SLOT").orElseThrow()))
			.containsExactlyInAnyOrder("0", "1");
		assertThat(children).containsAll(pids);
		assertThat(ListeningSockets.listens(master.pid(), port)).isFalse();
		assertThat(pids).allMatch((pid) -> ListeningSockets.listens(pid, port));
	}

	@Test
	@Order(2)
	void http2WorksOnTheSharedPort() throws Exception {
		Set<Long> pids = new HashSet<>();
		for (int i = 0; i < 40 && pids.size() < 2; i++) {
			// A new client, so a new connection, each time: cleartext HTTP/2 by upgrade
			HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
			HttpResponse<String> response = client.send(
					HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
			pids.add(new Http.Response(response.statusCode(), response.body()).pid());
		}
		assertThat(pids).hasSize(2);
	}

	@Test
	@Order(3)
	void workersRunWithTheMastersArgumentsAndTheirOwnJvmArguments() throws IOException {
		assertThat(Http.get(port, "/property/greeting").body()).isEqualTo("[hello \"quoted\" world]");
		assertThat(Http.get(port, "/property/worker.only").body()).isEqualTo("[yes]");
		assertThat(Http.get(port, "/property/cluster.worker.id").body()).matches("\\[[12]\\]");
	}

	@Test
	@Order(3)
	void workersShareTheHeapThatJavaToolOptionsGaveOneJvm() throws IOException {
		master.awaitLine("-Xmx1g in JAVA_TOOL_OPTIONS or JDK_JAVA_OPTIONS sizes one JVM", Duration.ofSeconds(1));
		long maxHeap = Long.parseLong(Http.get(port, "/max-heap").body());
		assertThat(maxHeap).as("half of 1 GiB each, not 1 GiB each").isBetween(400L << 20, 512L << 20);
	}

	@Test
	@Order(4)
	void masterSideListenersSeeEachWorkerForkGoOnlineAndListenInOrder() {
		for (int worker = 1; worker <= 2; worker++) {
			List<String> events = master.linesMatching("^EVENT (fork|online|listening) worker=" + worker + " ");
			assertThat(events).hasSize(3);
			assertThat(events.get(0)).startsWith("EVENT fork ").contains("state=FORKED");
			assertThat(events.get(1)).startsWith("EVENT online ").contains("state=ONLINE");
			assertThat(events.get(2)).startsWith("EVENT listening ")
				.contains("state=LISTENING", "exitedAfterDisconnect=null", "port=" + port);
		}
		assertThat(master.linesMatching("RECORDER created")).containsExactly("RECORDER created in pid " + master.pid());
	}

	@Test
	@Order(4)
	void theMastersCompilersYieldTheCoresToTheWorkers() throws IOException {
		Map<String, Integer> niceByThread = niceByThread(master.pid());
		int processNice = niceByThread.get("java " + master.pid());
		assertThat(niceByThread.keySet()).anyMatch(ClusterProcessIT::isCompiler);
		niceByThread.forEach((thread, nice) -> assertThat(nice).as(thread)
			.isEqualTo(isCompiler(thread) ? 19 : processNice));
	}

	@Test
	@Order(4)
	void servingWorkersCompileAheadOfTheirRequestsWhereTheMasterMayRaisePriorities() throws Exception {
		// Raised by a command the master does not wait for, once each worker served
		int expected = mayRaisePriorities() ? -10 : niceByThread(master.pid()).get("java " + master.pid());
		List<Long> workers = master.linesMatching("Worker \\d \\(pid \\d+\\) is listening")
			.stream()
			.map((line) -> Long.parseLong(line.replaceFirst(".*\\(pid (\\d+)\\).*", "$1")))
			.toList();
		assertThat(workers).hasSize(2);
		for (long worker : workers) {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
			Map<String, Integer> niceByThread = niceByThread(worker);
			while (!compilersAt(niceByThread, expected) && System.nanoTime() < deadline) {
				Thread.sleep(100);
				niceByThread = niceByThread(worker);
			}
			int processNice = niceByThread.get("java " + worker);
			assertThat(niceByThread.keySet()).anyMatch(ClusterProcessIT::isCompiler);
			niceByThread.forEach((thread, nice) -> assertThat(nice).as(thread)
				.isEqualTo(isCompiler(thread) ? expected : processNice));
		}
	}

	private static boolean compilersAt(Map<String, Integer> niceByThread, int nice) {
		return niceByThread.entrySet()
			.stream()
			.allMatch((thread) -> !isCompiler(thread.getKey()) || thread.getValue() == nice);
	}

	// Whether this machine lets this user raise a process's priority to -10, asked of the
	// kernel with a process of the test's own
	private static boolean mayRaisePriorities() throws Exception {
		Process sleep = new ProcessBuilder("sleep", "60").start();
		Process renice = null;
		try {
			renice = new ProcessBuilder("renice", "-10", "-p", Long.toString(sleep.pid())).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
			assertThat(renice.waitFor(10, TimeUnit.SECONDS)).as("renice ended").isTrue();
			return renice.exitValue() == 0;
		}
		catch (IOException ex) {
			// No renice: the master cannot raise either
			return false;
		}
		finally {
			sleep.destroyForcibly();
			if (renice != null) {
				renice.destroyForcibly();
			}
		}
	}

	private static boolean isCompiler(String thread) {
		return thread.matches("((C1|C2) CompilerThre|JVMCI.*) \\d+");
	}

	// "<name> <id>" of each of a process's threads, and its nice value
	private static Map<String, Integer> niceByThread(long pid) throws IOException {
		Map<String, Integer> niceByThread = new TreeMap<>();
		try (Stream<Path> threads = Files.list(Path.of("/proc/" + pid + "/task"))) {
			for (Path thread : threads.toList()) {
				try {
					// "id (name) state ...": the nice value is the 17th field after the name
					String stat = Files.readString(thread.resolve("stat"));
					String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
					niceByThread.put(stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')) + " "
							+ thread.getFileName(), Integer.parseInt(fields[16]));
				}
				catch (NoSuchFileException ex) {
					// A thread that ended meanwhile
				}
			}
		}
		return niceByThread;
	}

	@Test
	@Order(5)
	void workersStartAtMostOnePerPairOfCoresAtATime() {
		List<String> events = master.linesMatching("^EVENT (fork|listening) worker=[12] ")
			.stream()
			.map((event) -> event.replaceFirst("^EVENT (\\w+) worker=(\\d).*", "$1 $2"))
			.toList();
		// The master runs on this machine too, and sees as many cores
		if (Runtime.getRuntime().availableProcessors() < 4) {
			assertThat(events).startsWith("fork 1", "listening 1", "fork 2");
		}
		else {
			assertThat(events).startsWith("fork 1", "fork 2");
		}
	}

	@Test
	@Order(6)
	void workerMessagesArePublishedToTheMasterAsEvents() throws IOException {
		Http.Response whoAmI = Http.get(port, "/");
		assertThat(Http.get(port, "/tell-master/greeting").status()).isEqualTo(200);
		Matcher message = master.awaitLine("^EVENT message worker=(\\d+) topic=greeting payload=\"from (\\d+)\"",
				Duration.ofSeconds(5));
		assertThat(message.group(1)).isEqualTo(message.group(2));
		assertThat(whoAmI.status()).isEqualTo(200);
	}

	@Test
	@Order(7)
	void channelRefusesConnectionsWithoutTheSecret() throws IOException {
		long workerPid = Http.get(port, "/").pid();
		String socket = Processes.environmentOf(workerPid, ChannelAddress.SOCKET_ENV).orElseThrow();
		try (SocketChannel intruder = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			intruder.connect(UnixDomainSocketAddress.of(socket));
			new FrameCodec(FrameCodec.DEFAULT_MAX_FRAME_SIZE).write(intruder,
					new Message.Hello(1, ProcessHandle.current().pid(), "not-the-secret"));
			assertThat(intruder.read(ByteBuffer.allocate(16))).isEqualTo(-1);
		}
		try (SocketChannel garbage = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			garbage.connect(UnixDomainSocketAddress.of(socket));
			garbage.write(ByteBuffer.wrap(new byte[] { 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o' }));
			assertThat(garbage.read(ByteBuffer.allocate(16))).isEqualTo(-1);
		}
		master.awaitLine("Refused a channel connection without the cluster's secret \\(it claimed to be worker 1",
				Duration.ofSeconds(5));
		master.awaitLine("Refused a channel connection: Frame is not a valid message", Duration.ofSeconds(5));
		assertThat(Http.get(port, "/").status()).isEqualTo(200);
		assertThat(master.linesMatching("^EVENT (disconnect|exit)")).isEmpty();
	}

	@Test
	@Order(8)
	void aWorkerTheMasterRefusesExitsWithoutServing() throws Exception {
		long workerPid = Http.get(port, "/").pid();
		String socket = Processes.environmentOf(workerPid, ChannelAddress.SOCKET_ENV).orElseThrow();
		int ownPort = Processes.freePort();
		try (ClusterProcess impostor = ClusterProcess.startClass(Map.of(ChannelAddress.WORKER_ID_ENV, "7",
				ChannelAddress.SOCKET_ENV, socket), TestApplication.class, "--server.port=" + ownPort)) {
			impostor.process().getOutputStream().write("not-the-secret\n".getBytes(StandardCharsets.UTF_8));
			impostor.process().getOutputStream().close();
			impostor.awaitLine("Worker 7 exits: Could not join the cluster's master at .*: The master refused",
					STARTUP);
			assertThat(impostor.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
			assertThat(impostor.process().exitValue()).isEqualTo(1);
			assertThat(impostor.linesMatching("Tomcat started")).isEmpty();
		}
		master.awaitLine("Refused a channel connection without the cluster's secret \\(it claimed to be worker 7",
				Duration.ofSeconds(5));
	}

	@Test
	@Order(9)
	void workersLeaveTerminalSignalsToTheMaster() {
		// Ctrl-C or a closed terminal signals the whole process group, workers included
		Matcher listening = master.awaitLine("EVENT listening worker=2 pid=(\\d+)", Duration.ofSeconds(1));
		long worker = Long.parseLong(listening.group(1));
		Processes.signal(worker, "INT");
		Processes.signal(worker, "HUP");
		Processes.sleep(Duration.ofSeconds(1));
		assertThat(ProcessHandle.of(worker)).hasValueSatisfying((handle) -> assertThat(handle.isAlive()).isTrue());
		assertThat(master.linesMatching("^EVENT (disconnect|exit)")).isEmpty();
	}

	@Test
	@Order(10)
	void applicationsAWorkerStartsAreNoWorkers() throws Exception {
		// A worker's children inherit its environment, CLUSTER_WORKER_ID included
		int refusedBefore = master.linesMatching("Refused a channel connection").size();
		int plainPort = Processes.freePort();
		int clusterPort = Processes.freePort();
		long plain = Http.get(port, "/spawn?args=--server.port=" + plainPort).json().get("pid").asLong();
		long clustered = Http.get(port, "/spawn?args=--server.port=" + clusterPort + ",--cluster.workers=1")
			.json()
			.get("pid")
			.asLong();
		try {
			// Without cluster.workers: a plain application, which serves by itself
			Http.Response single = awaitServing(plainPort);
			assertThat(single.worker()).isZero();
			assertThat(single.pid()).isEqualTo(plain);
			// With it: the master of a cluster of its own, whose worker is its child
			Http.Response ownWorker = awaitServing(clusterPort);
			assertThat(ownWorker.worker()).isEqualTo(1);
			assertThat(ProcessHandle.of(ownWorker.pid()).flatMap(ProcessHandle::parent).map(ProcessHandle::pid))
				.hasValue(clustered);
			assertThat(Processes.environmentOf(ownWorker.pid(), ChannelAddress.MASTER_PID_ENV))
				.hasValue(Long.toString(clustered));
			// Neither tried to join this cluster's master
			assertThat(master.linesMatching("Refused a channel connection")).hasSize(refusedBefore);
		}
		finally {
			for (long pid : new long[] { clustered, plain }) {
				ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
				ProcessHandle.of(pid).ifPresent((handle) -> handle.onExit().orTimeout(30, TimeUnit.SECONDS).join());
			}
		}
	}

	private static Http.Response awaitServing(int port) throws IOException {
		long deadline = System.nanoTime() + STARTUP.toNanos();
		while (!Http.accepts(port) || Http.get(port, "/").status() != 200) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Nothing served on port " + port + " within " + STARTUP.toSeconds() + "s");
			}
			Processes.sleep(Duration.ofMillis(200));
		}
		return Http.get(port, "/");
	}

	@Test
	@Order(11)
	void killedWorkerIsReplacedByANewWorker() throws IOException {
		Matcher listening = master.awaitLine("EVENT listening worker=1 pid=(\\d+)", Duration.ofSeconds(1));
		ProcessHandle.of(Long.parseLong(listening.group(1))).orElseThrow().destroyForcibly();
		master.awaitLine("EVENT exit worker=1 .*state=DEAD exitedAfterDisconnect=false exit=137/SIGKILL",
				Duration.ofSeconds(10));
		master.awaitLine("EVENT listening worker=3 ", STARTUP);
		// The replacement inherits the slot of worker 1, the first one forked
		Matcher replacement = master.awaitLine("EVENT listening worker=3 pid=(\\d+)", Duration.ofSeconds(1));
		assertThat(Processes.environmentOf(Long.parseLong(replacement.group(1)), "CLUSTER_WORKER_SLOT"))
			.hasValue("0");
		List<String> workerOne = master.linesMatching("^EVENT \\w+ worker=1 ");
		assertThat(workerOne).extracting((line) -> line.split(" ")[1])
			.filteredOn((type) -> !type.equals("message") && !type.equals("leader"))
			.containsExactly("fork", "online", "listening", "disconnect", "exit");
		Set<Integer> workers = new HashSet<>();
		for (int i = 0; i < 60 && workers.size() < 2; i++) {
			workers.add(Http.get(port, "/").worker());
		}
		assertThat(workers).containsExactlyInAnyOrder(2, 3);
	}

	@Test
	@Order(12)
	void sigtermStopsEveryWorkerGracefullyAndTheMasterExitsZero() {
		List<ProcessHandle> workers = master.descendants();
		assertThat(workers).hasSize(2);
		master.terminate();
		assertThat(master.awaitExit(Duration.ofSeconds(40))).isZero();
		assertThat(workers).noneMatch(ProcessHandle::isAlive);
		for (int worker : new int[] { 2, 3 }) {
			assertThat(master.linesMatching("^EVENT \\w+ worker=" + worker + " ")).extracting((line) -> line.split(" ")[1])
				.filteredOn((type) -> !type.equals("message") && !type.equals("leader"))
				.containsExactly("fork", "online", "listening", "disconnect", "exit");
			assertThat(master.linesMatching("^EVENT exit worker=" + worker + " ")).singleElement()
				.asString()
				.contains("exitedAfterDisconnect=true exit=0/null");
		}
		assertThat(Http.accepts(port)).isFalse();
		assertThat(master.linesMatching("\\[worker [23]\\] DISCONNECT-REQUESTED reason=the master is stopping"))
			.hasSize(2);
		assertThat(master.linesMatching("\\[worker \\d+\\] RECORDER")).isEmpty();
	}

}
