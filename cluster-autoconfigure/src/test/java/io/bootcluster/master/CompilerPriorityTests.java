package io.bootcluster.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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
				.matches("((C1|C2) CompilerThre|JVMCI.*)\\s*"));
	}

	@Test
	void findsGraalsCompilerThreadsByTheNamesTheKernelKeeps(@TempDir Path directory) throws IOException {
		thread(directory, 1, "main");
		thread(directory, 2, "C2 CompilerThre");
		thread(directory, 3, "JVMCI CompilerT");
		thread(directory, 4, "JVMCI-native Co");
		thread(directory, 5, "C1 CompilerThre");
		thread(directory, 6, "Common-Cleaner");
		assertThat(CompilerPriority.compilerThreads(directory)).containsExactly("2", "3", "4", "5");
	}

	private static void thread(Path threads, int id, String name) throws IOException {
		Files.writeString(Files.createDirectories(threads.resolve(Integer.toString(id))).resolve("comm"), name + "\n");
	}

	@Test
	void findsNoneAmongOtherThreadsNorWhereThreadsCannotBeListed(@TempDir Path directory) throws IOException {
		Path thread = Files.createDirectories(directory.resolve("task/42"));
		Files.writeString(thread.resolve("comm"), "main\n");
		assertThat(CompilerPriority.compilerThreads(directory.resolve("task"))).isEmpty();
		assertThat(CompilerPriority.compilerThreads(directory.resolve("absent"))).isEmpty();
	}

	@Test
	void readsAThreadsNiceValueAsTheKernelGivesIt(@TempDir Path threads) throws IOException {
		// pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
		// utime stime cutime cstime priority nice ...
		stat(threads, 7, "7 (C2 CompilerThre) S 1 1 1 0 -1 4194368 0 0 0 0 5 1 0 0 30 10 20 0");
		stat(threads, 8, "8 (a thread) named) S 1 1 1 0 -1 4194368 0 0 0 0 5 1 0 0 10 -10 20 0");
		assertThat(CompilerPriority.anyAt(threads, List.of("7"), 10)).isTrue();
		assertThat(CompilerPriority.anyAt(threads, List.of("7"), -10)).isFalse();
		assertThat(CompilerPriority.anyAt(threads, List.of("7", "8"), -10)).as("a name with ') ' in it").isTrue();
		assertThat(CompilerPriority.anyAt(threads, List.of("9"), -10)).as("a thread that ended").isFalse();
	}

	@Test
	@EnabledOnOs(OS.LINUX)
	void readsTheNiceValueThatTheKernelGaveAProcess() throws Exception {
		Process niced = new ProcessBuilder("nice", "-n", "7", "sleep", "30").start();
		try {
			Path threads = Path.of("/proc/" + niced.pid() + "/task");
			List<String> ids = List.of(Long.toString(niced.pid()));
			// nice sets the value, then becomes sleep
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (!Files.readString(threads.resolve(ids.get(0)).resolve("comm")).trim().equals("sleep")) {
				assertThat(System.nanoTime()).as("nice became sleep").isLessThan(deadline);
				Thread.sleep(10);
			}
			assertThat(CompilerPriority.anyAt(threads, ids, 7)).isTrue();
			assertThat(CompilerPriority.anyAt(threads, ids, 0)).isFalse();
		}
		finally {
			niced.destroyForcibly();
		}
	}

	private static void stat(Path threads, int id, String line) throws IOException {
		Files.writeString(Files.createDirectories(threads.resolve(Integer.toString(id))).resolve("stat"), line + "\n");
	}

	@Test
	void mayRaiseWithTheCapabilityToSetPriorities(@TempDir Path process) throws IOException {
		assertThat(mayRaise(process, "0 0 4294967295", "0000000000800000", "0")).isTrue();
		assertThat(mayRaise(process, "0 0 4294967295", "000001fffeffffff", "0")).isTrue();
		assertThat(mayRaise(process, "0 0 4294967295", "000001ffff7fffff", "0"))
			.as("every capability but CAP_SYS_NICE, as in a container")
			.isFalse();
	}

	@Test
	void mayNotRaiseWithTheCapabilityOfAnotherUserNamespace(@TempDir Path process) throws IOException {
		// A rootless container: root inside, with every capability, which the kernel does
		// not count for priorities
		assertThat(mayRaise(process, "0 1000 1", "000001ffffffffff", "0")).isFalse();
	}

	@Test
	void aKernelWithoutUserNamespacesIsTheHostsOwn(@TempDir Path process) throws IOException {
		mayRaise(process, "0 1000 1", "0000000000800000", "0");
		Files.delete(process.resolve("uid_map"));
		assertThat(CompilerPriority.mayRaise(process, -10)).isTrue();
	}

	@Test
	void mayNotRaiseWithTheCapabilityOfANamespaceThatMapsSeveralRanges(@TempDir Path process) throws IOException {
		mayRaise(process, "0 0 4294967295", "0000000000800000", "0");
		Files.writeString(process.resolve("uid_map"), "         0       1000          1\n         1     100000      65536\n");
		assertThat(CompilerPriority.mayRaise(process, -10)).isFalse();
	}

	@Test
	void mayRaiseAsFarAsTheNiceLimitAllows(@TempDir Path process) throws IOException {
		assertThat(mayRaise(process, "0 1000 1", "0000000000000000", "0")).isFalse();
		assertThat(mayRaise(process, "0 1000 1", "0000000000000000", "29")).isFalse();
		assertThat(mayRaise(process, "0 1000 1", "0000000000000000", "30")).isTrue();
		assertThat(mayRaise(process, "0 1000 1", "0000000000000000", "unlimited")).isTrue();
	}

	@Test
	void mayNotRaiseWhereTheProcessCannotBeRead(@TempDir Path process) throws IOException {
		assertThat(CompilerPriority.mayRaise(process.resolve("absent"), -10)).isFalse();
		assertThat(mayRaise(process, "0 0 4294967295", "not hex", "0")).isFalse();
	}

	@Test
	void theNiceLimitDecidesWhereTheCapabilitiesCannotBeRead(@TempDir Path process) throws IOException {
		assertThat(mayRaise(process, "0 0 4294967295", "not hex", "30")).isTrue();
	}

	// Whether a process may raise a priority to -10, by its uid_map, status (its effective
	// capabilities) and limits (its nice limit)
	private static boolean mayRaise(Path process, String userIds, String effectiveCapabilities, String niceLimit)
			throws IOException {
		Files.writeString(process.resolve("uid_map"), "         " + userIds.replace(" ", "          ") + "\n");
		Files.writeString(process.resolve("status"), "Name:\tjava\nCapInh:\t0000000000000000\nCapEff:\t"
				+ effectiveCapabilities + "\nCapBnd:\t000001ffffffffff\n");
		Files.writeString(process.resolve("limits"),
				"Limit                     Soft Limit           Hard Limit           Units     \n"
						+ "Max open files            1024                 4096                 files     \n"
						+ "Max nice priority         " + niceLimit + "                    " + niceLimit
						+ "                    \n");
		return CompilerPriority.mayRaise(process, -10);
	}

}
