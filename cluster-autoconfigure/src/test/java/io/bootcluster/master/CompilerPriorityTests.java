package io.bootcluster.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CompilerPriority}. That a master's compilers run at the lowest priority,
 * and its other threads at their own, is checked on a real master in
 * {@code ClusterProcessIT}.
 */
class CompilerPriorityTests {

	@Test
	@EnabledOnOs(OS.LINUX)
	void findsTheCompilerThreadsOfThisJvm() throws IOException {
		Path threads = Path.of("/proc/self/task");
		assertThat(CompilerPriority.compilerThreads(threads)).isNotEmpty()
			.allSatisfy((id) -> assertThat(Files.readString(threads.resolve(id).resolve("comm")))
				.matches("(C1|C2|JVMCI) CompilerThre\\s*"));
	}

	@Test
	void findsNoneAmongOtherThreadsNorWhereThreadsCannotBeListed(@TempDir Path directory) throws IOException {
		Path thread = Files.createDirectories(directory.resolve("task/42"));
		Files.writeString(thread.resolve("comm"), "main\n");
		assertThat(CompilerPriority.compilerThreads(directory.resolve("task"))).isEmpty();
		assertThat(CompilerPriority.compilerThreads(directory.resolve("absent"))).isEmpty();
	}

}
