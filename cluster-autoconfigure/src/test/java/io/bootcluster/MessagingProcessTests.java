package io.bootcluster;

import java.io.IOException;
import java.time.Duration;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Http;
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
class MessagingProcessTests {

	private static int port;

	private static ClusterProcess master;

	@BeforeAll
	static void startCluster() {
		port = ClusterProcess.freePort();
		master = ClusterProcess.startClass(TestApplication.class, "--server.port=" + port, "--cluster.workers=2");
		master.awaitLines("EVENT listening worker=\\d+", 2, Duration.ofSeconds(90));
	}

	@AfterAll
	static void stopCluster() {
		master.close();
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
	void messagesFromOneSenderArriveInOrder() throws IOException {
		int sender = Http.get(port, "/tell-master-in-order/3000").worker();
		master.awaitLine("^SEQUENCE 3000 in order from worker " + sender, Duration.ofSeconds(30));
		assertThat(master.linesMatching("^SEQUENCE broken")).isEmpty();
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
