package io.bootcluster.worker;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the class data archive's training run loads for the workers.
 */
class WorkerClassesTests {

	@TempDir
	Path directory;

	@Test
	void everyMessageTypeHasASampleThatTheCodecWritesAndReads() throws Exception {
		Message[] samples = WorkerClasses.samples();
		assertThat(Arrays.stream(samples).map(Object::getClass))
			.containsExactlyInAnyOrder(Message.class.getPermittedSubclasses());
		FrameCodec codec = new FrameCodec(FrameCodec.DEFAULT_MAX_FRAME_SIZE);
		for (Message sample : samples) {
			byte[] frame = codec.encode(sample).array();
			assertThat(codec.decode(frame, 4, frame.length - 4)).isEqualTo(sample);
		}
	}

	@Test
	void theClassesOfAJarAreTheClustersOwnButTheMastersAndTheCommandLines() throws IOException {
		Path jar = this.directory.resolve("cluster.jar");
		try (OutputStream out = Files.newOutputStream(jar); JarOutputStream entries = new JarOutputStream(out)) {
			for (String name : new String[] { "io/bootcluster/worker/WorkerRuntime.class",
					"io/bootcluster/internal/ipc/Message$Hello.class", "io/bootcluster/master/ClusterMaster.class",
					"io/bootcluster/cli/StatusTable.class", "io/bootcluster/package-info.class",
					"io/bootcluster/worker/", "org/example/Other.class", "META-INF/spring.factories" }) {
				entries.putNextEntry(new JarEntry(name));
				entries.closeEntry();
			}
		}
		assertThat(WorkerClasses.classNames(jar)).containsExactly("io.bootcluster.worker.WorkerRuntime",
				"io.bootcluster.internal.ipc.Message$Hello");
	}

	@Test
	void aDirectoryOfClassesIsNeverRead() throws IOException {
		Path classes = Files.createDirectories(this.directory.resolve("io/bootcluster/worker"));
		Files.write(classes.resolve("WorkerRuntime.class"), new byte[0]);
		assertThat(WorkerClasses.classNames(this.directory)).isEmpty();
		assertThat(WorkerClasses.classNames(null)).isEmpty();
	}

}
