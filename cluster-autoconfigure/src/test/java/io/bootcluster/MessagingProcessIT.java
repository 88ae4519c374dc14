package io.bootcluster;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

import io.bootcluster.internal.ipc.ChannelAddress;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Http;
import io.bootcluster.test.Processes;
import io.bootcluster.testapp.web.TestApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Application messages between the master and two real workers: sends, broadcasts and
 * requests, answered by {@code @EventListener} return values; and what happens to a
 * message nobody can take.
 */
class MessagingProcessIT {

	private static int port;

	private static ClusterProcess master;

	@BeforeAll
	static void startCluster() {
		port = Processes.freePort();
		master = ClusterProcess.startClass(TestApplication.class, "--server.port=" + port, "--cluster.workers=2",
				"--cluster.ipc.max-frame-size=64KB", "--spring.jackson.property-naming-strategy=SNAKE_CASE",
				// Says when a worker cannot attach a connection, and asks on its main channel
				"--logging.level.io.bootcluster.internal.ipc.AttachedPool=debug");
		master.awaitLines("EVENT listening worker=\\d+", 2, Duration.ofSeconds(90));
	}

	@AfterAll
	static void stopCluster() {
		master.close();
	}

	@Test
	void payloadsFollowTheApplicationsJacksonSettingsOnBothSides() throws IOException {
		// The worker writes first_name, and the master reads it so
		JsonNode answer = Http.get(port, "/ask-master-person/Ada").json();
		assertThat(answer.get("answer").asString()).isEqualTo("first name Ada");
	}

	@Test
	void masterSendsToAWorker() {
		master.awaitLines("^\\[worker [12]\\] RECEIVED clear-cache from 0: greetings from the master", 2,
				Duration.ofSeconds(10));
	}

	@Test
	void workerAsksTheMasterAndTheListenersReturnValueAnswers() throws IOException {
		JsonNode answer = Http.get(port, "/ask/0/question").json();
		assertThat(answer.get("answer").asString())
			.isEqualTo("the master heard from " + answer.get("worker").asInt());
	}

	@Test
	void workerAsksAndReadsTheAnswerOnItsOwnThread() throws IOException {
		for (int i = 0; i < 20; i++) {
			JsonNode answer = Http.get(port, "/ask-blocking/0/question").json();
			assertThat(answer.get("answer").asString())
				.isEqualTo("the master heard from " + answer.get("worker").asInt());
		}
		JsonNode members = Http.get(port, "/members").json();
		int asker = members.get("worker").asInt();
		int other = (asker == 1) ? 2 : 1;
		assertThat(askFrom(asker, "/ask-blocking/" + other + "/served").get("answer").asString()).matches("\\d+");
		assertThat(Http.get(port, "/ask-blocking/0/nobody-listens").json().get("error").asString())
			.isEqualTo("ClusterMessagingException: No listener in the master answers topic 'nobody-listens'");
		assertThat(Http.get(port, "/ask-blocking/99/served").json().get("error").asString())
			.isEqualTo("ClusterMessagingException: worker 99 is not on the cluster's channel; workers on it: [1, 2]");
		// Each asked on a reply route of its own: none fell back to the main channel
		assertThat(master.linesMatching("Asking over the main channel")).isEmpty();
	}

	@Test
	void workerAsksAnotherWorker() throws IOException {
		JsonNode members = Http.get(port, "/members").json();
		int asker = members.get("worker").asInt();
		assertThat(members.get("members")).extracting(JsonNode::asInt).containsExactlyInAnyOrder(1, 2);
		int other = (asker == 1) ? 2 : 1;
		JsonNode answer = askFrom(asker, "/ask/" + other + "/served");
		assertThat(answer.get("answer").asString()).matches("\\d+");
	}

	@Test
	void broadcastReachesEveryOtherWorker() throws IOException {
		int sender = Http.get(port, "/broadcast/clear-cache").worker();
		int other = (sender == 1) ? 2 : 1;
		master.awaitLine("^\\[worker " + other + "\\] RECEIVED clear-cache from " + sender + ": from " + sender,
				Duration.ofSeconds(10));
		assertThat(master.linesMatching("^\\[worker " + sender + "\\] RECEIVED clear-cache from " + sender)).isEmpty();
	}

	@Test
	void burstOfAHundredThousandMessagesArrivesWholeAndInOrder() throws IOException {
		int sender = Http.get(port, "/tell-master-in-order/100000").worker();
		master.awaitLine("^SEQUENCE 100000 in order from worker " + sender, Duration.ofSeconds(60));
		assertThat(master.linesMatching("^SEQUENCE broken")).isEmpty();
	}

	@Test
	void messageLargerThanAFrameFailsTheSenderAndTheChannelCarriesOn() throws IOException {
		JsonNode answer = Http.get(port, "/tell-master-big/100").json();
		assertThat(answer.get("error").asString()).startsWith("ClusterMessagingException: Could not send 'big' to the "
				+ "master: Message of ").contains("bytes is larger than the frame limit of 65536");
		JsonNode again = askFrom(answer.get("worker").asInt(), "/ask/0/question");
		assertThat(again.get("answer").asString()).startsWith("the master heard");
	}

	@Test
	void garbageOnTheMastersSocketChangesNothing() throws IOException {
		long workerPid = Http.get(port, "/").pid();
		Path socket = Path.of(Processes.environmentOf(workerPid, ChannelAddress.SOCKET_ENV).orElseThrow());
		// The secret is not in any process's environment: the master writes it to each
		// worker's standard input
		assertThat(Processes.environmentOf(workerPid, "CLUSTER_IPC_SECRET")).isEmpty();
		String secret = "not-the-secret";
		Random random = new Random(42);
		for (int round = 0; round < 60; round++) {
			try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
				channel.connect(UnixDomainSocketAddress.of(socket));
				if (round % 2 == 1) {
					new FrameCodec(1024).write(channel, new Message.Hello(1 + random.nextInt(5), random.nextInt(), secret));
				}
				byte[] garbage = new byte[random.nextInt(300)];
				random.nextBytes(garbage);
				channel.write(ByteBuffer.wrap(garbage));
			}
			catch (IOException ex) {
				// Closed by the master first
			}
		}
		master.awaitLine("Refused a channel connection", Duration.ofSeconds(5));
		for (int i = 0; i < 10; i++) {
			assertThat(Http.get(port, "/").status()).isEqualTo(200);
		}
		assertThat(master.linesMatching("^EVENT (disconnect|exit|fork worker=3)")).isEmpty();
		assertThat(master.process().isAlive()).isTrue();
	}

	@Test
	void requestToAWorkerNotOnTheChannelFailsAtOnce() throws IOException {
		JsonNode answer = Http.get(port, "/ask/99/served").json();
		assertThat(answer.get("error").asString())
			.isEqualTo("ClusterMessagingException: worker 99 is not on the cluster's channel; workers on it: [1, 2]");
	}

	@Test
	void requestNobodyAnswersFailsWithTheReason() throws IOException {
		JsonNode answer = Http.get(port, "/ask/0/nobody-listens").json();
		assertThat(answer.get("error").asString())
			.isEqualTo("ClusterMessagingException: No listener in the master answers topic 'nobody-listens'");
		master.awaitLine("No listener answered ClusterMessageEvent\\[topic=nobody-listens", Duration.ofSeconds(5));
	}

	@Test
	void payloadOfTheWrongShapeFailsTheRequestWithTheReason() throws IOException {
		JsonNode members = Http.get(port, "/members").json();
		int asker = members.get("worker").asInt();
		int other = (asker == 1) ? 2 : 1;
		JsonNode answer = askFrom(asker, "/ask/" + other + "/point");
		assertThat(answer.get("error").asString()).startsWith("ClusterMessagingException: A listener in worker " + other
				+ " failed: Payload of a message on topic 'point' from worker " + asker + " is not a Point");
	}

	// The shared port picks the worker: ask until the wanted one answers
	private static JsonNode askFrom(int worker, String path) throws IOException {
		for (int i = 0; i < 100; i++) {
			JsonNode answer = Http.get(port, path).json();
			if (answer.get("worker").asInt() == worker) {
				return answer;
			}
		}
		throw new AssertionError("Worker " + worker + " never answered " + path);
	}

}
