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
 * a serving worker's above its other threads where the master may raise them, and all other
 * threads at their own, is checked on a real cluster in {@code ClusterProcessIT}.
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

	@Test
	void mayRaiseWithTheCapabilityToSetPriorities(@TempDir Path directory) throws IOException {
		Path limits = limits(directory, "0");
		assertThat(CompilerPriority.mayRaise(status(directory, "0000000000800000"), limits, -10)).isTrue();
		assertThat(CompilerPriority.mayRaise(status(directory, "000001fffeffffff"), limits, -10)).isTrue();
		assertThat(CompilerPriority.mayRaise(status(directory, "000001fffe7fffff"), limits, -10))
			.as("every capability but CAP_SYS_NICE, as in a container")
			.isFalse();
	}

	@Test
	void mayRaiseAsFarAsTheNiceLimitAllows(@TempDir Path directory) throws IOException {
		Path status = status(directory, "0000000000000000");
		assertThat(CompilerPriority.mayRaise(status, limits(directory, "0"), -10)).isFalse();
		assertThat(CompilerPriority.mayRaise(status, limits(directory, "29"), -10)).isFalse();
		assertThat(CompilerPriority.mayRaise(status, limits(directory, "30"), -10)).isTrue();
		assertThat(CompilerPriority.mayRaise(status, limits(directory, "unlimited"), -10)).isTrue();
	}

	@Test
	void mayNotRaiseWhereTheProcessCannotBeRead(@TempDir Path directory) throws IOException {
		assertThat(CompilerPriority.mayRaise(directory.resolve("absent"), directory.resolve("absent"), -10)).isFalse();
		Files.writeString(directory.resolve("status"), "CapEff:\tnot hex\n");
		assertThat(CompilerPriority.mayRaise(directory.resolve("status"), limits(directory, "40"), -10)).isFalse();
	}

	private static Path status(Path directory, String effectiveCapabilities) throws IOException {
		return Files.writeString(directory.resolve("status"),
				"Name:\tjava\nCapInh:\t0000000000000000\nCapEff:\t" + effectiveCapabilities + "\nCapBnd:\t000001ffffffffff\n");
	}

	private static Path limits(Path directory, String nice) throws IOException {
		return Files.writeString(directory.resolve("limits"),
				"Limit                     Soft Limit           Hard Limit           Units     \n"
						+ "Max open files            1024                 4096                 files     \n"
						+ "Max nice priority         " + nice + "                    " + nice + "                    \n");
	}

}
