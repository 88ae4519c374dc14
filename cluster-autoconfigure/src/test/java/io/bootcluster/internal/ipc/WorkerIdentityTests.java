package io.bootcluster.internal.ipc;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

class WorkerIdentityTests {

	private final ProcessHandle self = ProcessHandle.current();

	private final long parent = this.self.parent().orElseThrow().pid();

	private final long grandparent = this.self.parent().orElseThrow().parent().orElseThrow().pid();

	@Test
	void processWithoutAWorkerIdIsNoWorker() {
		assertThat(WorkerIdentity.of(Map.of(), this.self)).isNull();
	}

	@Test
	void processWhoseParentIsItsMasterIsAWorker() {
		WorkerIdentity identity = WorkerIdentity.of(environment(this.parent), this.self);
		assertThat(identity).isEqualTo(new WorkerIdentity(3, -1, true, Path.of("/tmp/cluster-x/master.sock")));
	}

	@Test
	void processAWorkerStartedInheritsItsEnvironmentButIsNoWorker() {
		assertThat(WorkerIdentity.of(environment(this.grandparent), this.self)).isNull();
	}

	@Test
	void workerWhoseMasterIsGoneIsStillAWorkerAndFailsToJoin() {
		assertThat(WorkerIdentity.of(environment(Long.MAX_VALUE), this.self)).isNotNull();
	}

	@Test
	void secretIsTheFirstLineOfStandardInput() throws IOException {
		assertThat(WorkerIdentity.readSecret(input("s3cret\nmore"))).isEqualTo("s3cret");
		assertThat(WorkerIdentity.readSecret(input("s3cret"))).isEqualTo("s3cret");
		assertThatIOException().isThrownBy(() -> WorkerIdentity.readSecret(input("")))
			.withMessageContaining("started by their master");
		assertThatIOException().isThrownBy(() -> WorkerIdentity.readSecret(input("x".repeat(300))))
			.withMessageContaining("longer than 256 bytes");
	}

	private static Map<String, String> environment(long masterPid) {
		return Map.of(ChannelAddress.WORKER_ID_ENV, "3", ChannelAddress.STANDBY_ENV, "true", ChannelAddress.SOCKET_ENV,
				"/tmp/cluster-x/master.sock", ChannelAddress.MASTER_PID_ENV, Long.toString(masterPid));
	}

	private static ByteArrayInputStream input(String text) {
		return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
	}

}
