package io.bootcluster.master;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import io.bootcluster.internal.control.ControlChannel;
import io.bootcluster.internal.control.MasterRegistry;
import io.bootcluster.internal.ipc.FrameCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The master's control socket, over a real Unix domain socket, in front of a supervisor
 * on a manual loop.
 */
class ControlServerTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@TempDir
	Path registry;

	@TempDir
	Path channel;

	private SupervisorHarness cluster;

	private ControlServer server;

	@BeforeEach
	void start() throws Exception {
		Files.setPosixFilePermissions(this.channel, PosixFilePermissions.fromString("rwx------"));
		this.cluster = new SupervisorHarness(1, 0, 10, 2);
		this.server = ControlServer.start(this.channel, 8080, this.cluster.supervisor, this.registry);
	}

	@AfterEach
	void stop() throws Exception {
		this.server.close();
		this.cluster.close();
	}

	@Test
	void answersTheStatusAndCommandsWhileListedAsRunning() throws Exception {
		assertThat(MasterRegistry.running(this.registry)).singleElement()
			.satisfies((entry) -> assertThat(entry.port()).isEqualTo(8080));
		assertThat(ask("{\"action\":\"status\"}").path("desiredWorkers").asInt()).isEqualTo(1);
		assertThat(ask("{\"action\":\"scale\",\"workers\":2}").path("from").asInt()).isEqualTo(1);
		assertThat(this.cluster.status().desiredWorkers()).isEqualTo(2);
		assertThat(ask("{\"action\":\"scale\"}").path("error").asString()).contains("workers");
		assertThat(ask("{\"action\":\"metrics\"}").path("error").asString()).contains("Unknown action");
		this.server.close();
		assertThat(MasterRegistry.running(this.registry)).isEmpty();
		assertThat(this.channel.resolve("control.sock")).doesNotExist();
	}

	@Test
	void aClientThatSendsNothingHoldsUpNoOther() throws Exception {
		try (SocketChannel silent = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			silent.connect(UnixDomainSocketAddress.of(this.channel.resolve("control.sock")));
			assertThat(ask("{\"action\":\"status\"}").path("desiredWorkers").asInt()).isEqualTo(1);
		}
	}

	private JsonNode ask(String request) throws Exception {
		return ControlChannel.ask(this.channel.resolve("control.sock"), FrameCodec.mapper().readTree(request),
				TIMEOUT);
	}

}
