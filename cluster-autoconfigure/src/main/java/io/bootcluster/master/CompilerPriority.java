package io.bootcluster.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Puts the master's JIT compiler threads at the lowest CPU priority (nice 19), so that the
 * workers it starts have the cores first. A master compiles the code of its own start,
 * which runs once, on the cores its workers need for theirs: on two cores, its compilers
 * took 2 to 3 s of CPU by the time both workers listened, the master's main thread about
 * 2 s. At the lowest priority they compile when no worker wants the core, so the master's
 * code is still compiled, later. Compiler threads the JVM adds later are started by one of
 * these and inherit its priority.
 * <p>
 * Only the compilers: a priority once lowered cannot be raised again without privileges,
 * and the threads that supervise the workers and read the channel must keep theirs. The
 * JDK cannot set a thread's priority on Linux; {@code renice} (util-linux, BusyBox) does,
 * given the thread's id. Where it is missing, or where the JVM names no compiler thread
 * (another platform), nothing changes.
 * <p>
 * Thread-safe: lowers at most once per JVM.
 */
final class CompilerPriority {

	private static final Log logger = LogFactory.getLog(CompilerPriority.class);

	private static final Path THREADS = Path.of("/proc/self/task");

	// HotSpot names them "C1 CompilerThread0", "C2 CompilerThread1", "JVMCI CompilerThread0";
	// the kernel keeps the first 15 characters
	private static final String COMPILER_THREAD = "CompilerThre";

	private static final AtomicBoolean lowered = new AtomicBoolean();

	private CompilerPriority() {
	}

	/**
	 * Lowers the priority of this JVM's compiler threads, the first time it is called: once
	 * the configuration says this JVM is a master, not sooner (a head start's plan may be
	 * older than a configuration that no longer clusters).
	 */
	static void lower() {
		if (!lowered.compareAndSet(false, true)) {
			return;
		}
		List<String> compilers = compilerThreads(THREADS);
		if (compilers.isEmpty()) {
			return;
		}
		List<String> command = new ArrayList<>(List.of("renice", "-n", "19", "-p"));
		command.addAll(compilers);
		try {
			// Not waited for: the master's start goes on while it runs
			new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
		}
		catch (IOException ex) {
			logger.debug("Could not lower the priority of the master's JIT compilers: " + ex.getMessage());
		}
	}

	/**
	 * Finds the ids of a process's compiler threads.
	 * @param threads the process's task directory
	 * @return the threads' ids, empty when it has none or cannot be read
	 */
	static List<String> compilerThreads(Path threads) {
		try (Stream<Path> tasks = Files.list(threads)) {
			return tasks.filter(CompilerPriority::isCompiler).map((task) -> task.getFileName().toString()).sorted().toList();
		}
		catch (IOException ex) {
			return List.of();
		}
	}

	private static boolean isCompiler(Path task) {
		try {
			return Files.readString(task.resolve("comm")).contains(COMPILER_THREAD);
		}
		catch (IOException ex) {
			// A thread that ended meanwhile
			return false;
		}
	}

}
