package io.bootcluster.internal.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

import io.bootcluster.internal.ipc.FrameCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * The registry of running masters, on the file system, with real processes.
 */
class MasterRegistryTests {

	@TempDir
	Path root;

	@Test
	void aRegisteredMasterRunsUntilItsFileIsRemoved() throws IOException {
		Path file = MasterRegistry.register(this.root, 8080, this.root.resolve("control.sock"));
		assertThat(MasterRegistry.running(this.root)).singleElement().satisfies((entry) -> {
			assertThat(entry.pid()).isEqualTo(ProcessHandle.current().pid());
			assertThat(entry.port()).isEqualTo(8080);
			assertThat(entry.control()).isEqualTo(this.root.resolve("control.sock").toString());
			assertThat(entry.application()).isEqualTo(MasterRegistry.currentApplication());
		});
		assertThat(Files.getPosixFilePermissions(file.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
		Files.delete(file);
		assertThat(MasterRegistry.running(this.root)).isEmpty();
	}

	@Test
	void mastersThatAreGoneArePassedOverAndTheirFilesRemoved() throws Exception {
		Process gone = new ProcessBuilder("true").start();
		long goneStart = gone.toHandle().info().startInstant().map(Instant::toEpochMilli).orElse(0L);
		gone.waitFor();
		Path masters = Files.createDirectories(this.root.resolve("masters"));
		Path dead = write(masters, new MasterRegistry.Entry(gone.pid(), goneStart, "app.jar", 8080, "a.sock"));
		// A pid the system gave to another process since
		Path reused = write(masters,
				new MasterRegistry.Entry(ProcessHandle.current().pid(), 1, "app.jar", 8081, "b.sock"));
		assertThat(MasterRegistry.running(this.root)).isEmpty();
		assertThat(dead).doesNotExist();
		assertThat(reused).doesNotExist();
	}

	@Test
	void noMasterIsListedInADirectoryOthersMayWriteTo() throws IOException {
		MasterRegistry.register(this.root, 8080, this.root.resolve("control.sock"));
		Files.setPosixFilePermissions(this.root, PosixFilePermissions.fromString("rwxrwxrwx"));
		assertThat(MasterRegistry.running(this.root)).isEmpty();
		assertThatIOException().isThrownBy(() -> MasterRegistry.register(this.root, 8080, this.root))
			.withMessageContaining("others may write to it");
	}

	private static Path write(Path masters, MasterRegistry.Entry entry) throws IOException {
		return Files.write(masters.resolve(entry.pid() + "-" + entry.port() + ".json"),
				FrameCodec.mapper().writeValueAsBytes(entry));
	}

}
