package io.bootcluster.master;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.bootcluster.ClusterStatus;
import io.bootcluster.ipc.ChannelAddress;
import io.bootcluster.ipc.Connection;
import io.bootcluster.ipc.DaemonThreads;
import io.bootcluster.ipc.FrameCodec;
import io.bootcluster.ipc.Message;
import io.bootcluster.ipc.TestConnections;
import io.bootcluster.test.ClusterProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.NullNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The supervisor's state machine, driven through its channel handler the way workers
 * drive it, with real processes (that only sleep) standing in for the workers.
 */
class SupervisorTests {

	private final Map<Integer, Process> processes = new ConcurrentHashMap<>();

	private final FrameCodec codec = new FrameCodec(FrameCodec.DEFAULT_MAX_FRAME_SIZE);

	private final List<SocketChannel> channels = new ArrayList<>();

	private final Map<Integer, List<Message>> received = new ConcurrentHashMap<>();

	private ServerSocketChannel server;

	private Path socket;

	private ChannelAddress address;

	private Supervisor supervisor;

	@AfterEach
	void stop() throws Exception {
		this.supervisor.stop();
		// Once the supervisor has taken the stop (its thread runs tasks in order), it
		// replaces none of the stand-ins, which do not answer a disconnect request: they
		// are killed
		this.supervisor.call(() -> null);
		this.processes.values().forEach(Process::destroyForcibly);
		CompletableFuture.supplyAsync(this.supervisor::awaitTermination).get(10, TimeUnit.SECONDS);
		for (SocketChannel channel : this.channels) {
			channel.close();
		}
		this.server.close();
		Files.deleteIfExists(this.socket);
		Files.deleteIfExists(this.socket.getParent());
		this.address.delete();
	}

	@Test
	void onlyTheWorkerAskedCanAnswerTheMastersRequest() throws Exception {
		start(10);
		Connection one = serve(1);
		Connection two = serve(2);
		// Worker 1 asks for every other worker's meters: the master asks worker 2
		this.supervisor.received(one, new Message.Request(7, "metrics", NullNode.getInstance()));
		await(() -> this.received.get(2).stream().anyMatch(Message.Request.class::isInstance));
		long asked = this.received.get(2)
			.stream()
			.filter(Message.Request.class::isInstance)
			.map((message) -> ((Message.Request) message).id())
			.findFirst()
			.orElseThrow();
		this.supervisor.received(one,
				new Message.Reply(asked, null, FrameCodec.mapper().createObjectNode().put("from", "worker 1")));
		this.supervisor.received(two,
				new Message.Reply(asked, null, FrameCodec.mapper().createObjectNode().put("from", "worker 2")));
		await(() -> this.received.get(1)
			.stream()
			.anyMatch((message) -> message instanceof Message.Reply reply && reply.id() == 7));
		Message.Reply meters = this.received.get(1)
			.stream()
			.filter((message) -> message instanceof Message.Reply reply && reply.id() == 7)
			.map(Message.Reply.class::cast)
			.findFirst()
			.orElseThrow();
		assertThat(meters.body().get("2").get("from").asString()).isEqualTo("worker 2");
	}

	@Test
	void restartEndsWhenTheSuccessorDiesAfterItsPredecessor() throws Exception {
		start(10);
		Connection first = serve(1);
		serve(2);
		assertThat(this.supervisor.call(this.supervisor::restart)).containsExactly(1, 2);
		await(() -> this.processes.containsKey(3));
		join(3);
		this.processes.get(1).destroyForcibly();
		await(() -> status().workers().stream().noneMatch((worker) -> worker.id() == 1));
		this.processes.get(3).destroyForcibly();
		await(() -> status().restart().state().equals("failed"));
		// The emptied slot is refilled, and the cluster can be restarted again
		await(() -> this.processes.containsKey(4));
		serve(4);
		await(() -> this.supervisor.call(this.supervisor::restart).size() == 2);
		assertThat(first.isOpen()).isTrue();
	}

	@Test
	void workerThatHasNotStartedIsNotReplaced() throws Exception {
		start(10);
		serve(1);
		serve(2);
		this.supervisor.call(this.supervisor::restart);
		await(() -> this.processes.containsKey(3));
		Connection starting = join(3);
		this.supervisor.received(starting, new Message.ReplaceMe("a thread died while it started"));
		ClusterProcess.sleep(Duration.ofMillis(500));
		assertThat(this.processes).doesNotContainKey(4);
		this.supervisor.received(starting, new Message.Listening("0.0.0.0", 8080, true));
		this.supervisor.received(starting, new Message.Ready(true));
		// Its successor ready, worker 1 is asked to go; it goes
		await(() -> this.received.get(1).stream().anyMatch(Message.Disconnect.class::isInstance));
		this.processes.get(1).destroy();
		await(() -> status().workers().stream().noneMatch((worker) -> worker.id() == 1));
		// The restart goes on with worker 2; worker 3 keeps its slot, unreplaced
		await(() -> this.processes.containsKey(4));
		ClusterProcess.sleep(Duration.ofMillis(300));
		assertThat(this.processes).doesNotContainKey(5);
		assertThat(this.received.get(3)).noneMatch(Message.Disconnect.class::isInstance);
	}

	@Test
	void scalingDownRemovesSlotsThatGaveUpFirst() throws Exception {
		start(1);
		serve(1);
		serve(2);
		this.processes.get(1).destroyForcibly();
		await(() -> status().workers().size() == 1);
		assertThat(this.supervisor.call(() -> this.supervisor.scale(1))).isEqualTo(2);
		ClusterProcess.sleep(Duration.ofMillis(300));
		ClusterStatus status = status();
		assertThat(status.desiredWorkers()).isEqualTo(1);
		assertThat(status.workers()).extracting(ClusterStatus.Worker::id).containsExactly(2);
		assertThat(this.processes.get(2).isAlive()).isTrue();
	}

	@Test
	void standbyThatDiesWhileTakingOverIsStillReplacedByANewStandby() throws Exception {
		start(10, 1);
		serve(1);
		serve(2);
		await(() -> this.processes.containsKey(3));
		Connection standby = join(3);
		this.supervisor.received(standby, new Message.StandbyReady(3));
		await(() -> status().workers().stream().anyMatch((worker) -> worker.id() == 3 && worker.standby()));
		this.processes.get(1).destroyForcibly();
		await(() -> this.received.get(3).stream().anyMatch(Message.Activate.class::isInstance));
		// The next standby waits for the takeover, which is not done yet
		ClusterProcess.sleep(Duration.ofMillis(300));
		assertThat(this.processes).doesNotContainKey(4);
		this.processes.get(3).destroyForcibly();
		// The takeover failed: a new standby, and a worker for the slot after its backoff
		await(() -> this.processes.containsKey(4) && this.processes.containsKey(5));
		assertThat(status().workers()).filteredOn(ClusterStatus.Worker::standby).hasSize(1);
	}

	private void start(int maxCrashes) throws IOException {
		start(maxCrashes, 0);
	}

	private void start(int maxCrashes, int standbyWorkers) throws IOException {
		this.socket = Files.createTempDirectory("supervisor-tests").resolve("s");
		this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		this.server.bind(UnixDomainSocketAddress.of(this.socket));
		this.address = ChannelAddress.create();
		WorkerLauncher launcher = new WorkerLauncher(List.of("sleep", "600"), this.address, new WorkerOutput.Prefixed()) {

			@Override
			Process launch(int id, boolean standby) throws IOException {
				Process process = super.launch(id, standby);
				SupervisorTests.this.processes.put(id, process);
				return process;
			}

		};
		ClusterMaster.MasterSettings settings = new ClusterMaster.MasterSettings(2, standbyWorkers, 1L << 29, List.of(), List.of(),
				Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(30),
				new RestartPolicy(Duration.ofMillis(50), 1.5, Duration.ofSeconds(1), Duration.ofSeconds(30), maxCrashes),
				FrameCodec.DEFAULT_MAX_FRAME_SIZE, new ManagementServer.Settings(null, "127.0.0.1", true, true), null);
		this.supervisor = new Supervisor(settings, 2, 8080, true, this.codec, launcher, (event) -> {
		}, List.of());
		this.supervisor.start();
	}

	private Connection serve(int id) throws Exception {
		await(() -> this.processes.containsKey(id));
		Connection connection = join(id);
		this.supervisor.received(connection, new Message.Listening("0.0.0.0", 8080, true));
		this.supervisor.received(connection, new Message.Ready(true));
		await(() -> status().workers()
			.stream()
			.anyMatch((worker) -> worker.id() == id && worker.state().equals("listening")));
		return connection;
	}

	private Connection join(int id) throws IOException {
		SocketChannel worker = SocketChannel.open(StandardProtocolFamily.UNIX);
		worker.connect(this.server.getLocalAddress());
		SocketChannel master = this.server.accept();
		this.channels.add(worker);
		this.channels.add(master);
		List<Message> messages = new CopyOnWriteArrayList<>();
		this.received.put(id, messages);
		DaemonThreads.start("worker-" + id, () -> {
			try {
				Message message;
				while ((message = this.codec.read(worker)) != null) {
					messages.add(message);
				}
			}
			catch (IOException ex) {
				// Closed
			}
		});
		Connection connection = TestConnections.direct(master, this.codec);
		assertThat(this.supervisor.accept(connection, new Message.Hello(id, this.processes.get(id).pid(), "")))
			.isTrue();
		return connection;
	}

	private ClusterStatus status() {
		return this.supervisor.call(this.supervisor::status);
	}

	private static void await(BooleanSupplier condition) {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Condition not met within 10s");
			}
			ClusterProcess.sleep(Duration.ofMillis(20));
		}
	}

}
