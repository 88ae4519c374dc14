package io.bootcluster.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.bootcluster.internal.ipc.DaemonThreads;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The CPU priority of JIT compiler threads: the master's own, and those of its serving
 * workers.
 * <p>
 * The master's compilers go to the lowest priority (nice 19), so that the workers it
 * starts have the cores first. A master compiles the code of its own start, which runs
 * once, on the cores its workers need for theirs: on two cores, its compilers took 2 to 3 s
 * of CPU by the time both workers listened, the master's main thread about 2 s. At the
 * lowest priority they compile when no worker wants the core, so the master's code is
 * still compiled, later. Only the compilers: a priority once lowered cannot be raised again
 * without privileges, and the threads that supervise the workers and read the channel must
 * keep theirs.
 * <p>
 * A serving worker's compilers go up (nice -10), where the master may raise priorities
 * (CAP_SYS_NICE in the host's user namespace, or a nice limit that allows it), or where
 * {@code renice} may (a file capability, which an image that runs as another user than root
 * can give it); the latter is tried until refused once. Under load,
 * the kernel shares the cores equally among the runnable threads, so a worker's one C2
 * compiler got a small slice beside its request threads and the other workers', and every
 * worker compiles the same hot code: on two cores, a cluster took about twice as long as one
 * plain JVM to reach full speed. With its compilers ahead of its requests, a worker compiles
 * its hot code in the seconds after it starts serving, and serves at full speed sooner. Only
 * once the worker serves: compilers ahead of a starting worker's main thread made its start
 * slower.
 * <p>
 * The JDK cannot set a thread's priority on Linux; {@code renice} (util-linux, BusyBox)
 * does, given the thread's id. Where it is missing, or where the JVM names no compiler
 * thread (another platform), nothing changes. Compiler threads the JVM adds later are
 * started by one of these and inherit its priority.
 * <p>
 * Thread-safe: lowers the master's at most once per JVM; raises a worker's on a thread of
 * its own, so that the supervisor's loop never waits for {@code renice}.
 */
final class CompilerPriority {

	private static final Log logger = LogFactory.getLog(CompilerPriority.class);

	private static final Path THREADS = Path.of("/proc/self/task");

	// HotSpot names them "C1 CompilerThread0", "C2 CompilerThread1", and with Graal "JVMCI
	// CompilerThread0" or "JVMCI-native CompilerThread0"; the kernel keeps the first 15
	// characters
	private static final Pattern COMPILER_THREAD = Pattern.compile("(C1|C2) CompilerThre.*|JVMCI.*");

	// The nice value of a serving worker's compilers, where the master may set it
	private static final int WORKER_COMPILERS_NICE = -10;

	// CAP_SYS_NICE, as numbered in linux/capability.h
	private static final int CAP_SYS_NICE = 23;

	// The identity mapping of all user ids: the host's own user namespace, where a capability
	// counts for setting priorities (in any other, the kernel refuses)
	private static final String HOST_USER_NAMESPACE = "0 0 4294967295";

	private static final boolean MAY_RAISE = mayRaise(Path.of("/proc/self"), WORKER_COMPILERS_NICE);

	private static final AtomicBoolean lowered = new AtomicBoolean();

	private static final AtomicBoolean refusalLogged = new AtomicBoolean();

	// Where this JVM's own rights do not allow it, renice may still (a file capability, as a
	// container image that runs as another user than root may give it): tried until refused
	private static final AtomicBoolean refused = new AtomicBoolean();

	private CompilerPriority() {
	}

	/**
	 * Lowers the priority of this JVM's compiler threads, the first time it is called: once
	 * the configuration says this JVM is a master, not sooner (a head start's plan may be
	 * older than a configuration that no longer clusters).
	 */
	static void lower() {
		if (lowered.compareAndSet(false, true)) {
			renice(THREADS, 19);
		}
	}

	/**
	 * Raises the priority of a serving worker's compiler threads, on a thread of its own:
	 * where this JVM may, or {@code renice} may and has not been refused yet.
	 * @param pid the worker's process id
	 */
	static void raise(long pid) {
		if (MAY_RAISE || !refused.get()) {
			DaemonThreads.start("cluster-compiler-priority",
					() -> renice(Path.of("/proc/" + pid + "/task"), WORKER_COMPILERS_NICE));
		}
	}

	// Not waited for: whoever asked goes on while it runs
	private static void renice(Path threads, int nice) {
		List<String> compilers = compilerThreads(threads);
		if (compilers.isEmpty()) {
			return;
		}
		// A bare number sets the value; "-n" adds to it with BusyBox, and with util-linux
		// under POSIXLY_CORRECT
		List<String> command = new ArrayList<>(List.of("renice", Integer.toString(nice), "-p"));
		command.addAll(compilers);
		try {
			new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start()
				.onExit()
				.thenAccept((renice) -> {
					// Not when only a thread that ended meanwhile was missed, nor when the
					// whole worker ended
					if (nice < 0 && renice.exitValue() != 0 && Files.isDirectory(threads)
							&& !anyAt(threads, compilers, nice)) {
						refuse("renice exited with " + renice.exitValue());
					}
				});
		}
		catch (IOException ex) {
			if (nice < 0) {
				refuse(ex.getMessage());
			}
			else {
				logger.debug("Could not lower the priority of the master's JIT compilers: " + ex.getMessage());
			}
		}
	}

	private static void refuse(String why) {
		refused.set(true);
		if (!MAY_RAISE) {
			logger.debug("Could not raise the priority of the workers' JIT compilers: " + why);
		}
		else if (refusalLogged.compareAndSet(false, true)) {
			logger.info("Could not raise the priority of the workers' JIT compilers (" + why
					+ "): they may compile at the priority of their requests");
		}
	}

	/**
	 * Whether a process may set a thread's nice value as low as the one given: it has
	 * CAP_SYS_NICE in the host's user namespace, or its nice limit (RLIMIT_NICE, where
	 * {@code 20 - limit} is the lowest nice value allowed) reaches it.
	 * @param process the process's directory in {@code /proc}
	 * @param nice the nice value
	 * @return whether it may, {@code false} where neither can be read
	 */
	static boolean mayRaise(Path process, int nice) {
		return hasNiceCapability(process) || niceLimitAllows(process, nice);
	}

	private static boolean hasNiceCapability(Path process) {
		try {
			// A kernel without user namespaces has no uid_map: all is the host's
			Path userIds = process.resolve("uid_map");
			if (Files.exists(userIds) && !String.join(" ", Files.readString(userIds).trim().split("\\s+"))
				.equals(HOST_USER_NAMESPACE)) {
				return false;
			}
			for (String line : Files.readAllLines(process.resolve("status"))) {
				if (line.startsWith("CapEff:")) {
					return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << CAP_SYS_NICE)) != 0;
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			logger.debug("Could not read the capabilities of " + process + ": " + ex);
		}
		return false;
	}

	private static boolean niceLimitAllows(Path process, int nice) {
		try {
			for (String line : Files.readAllLines(process.resolve("limits"))) {
				if (line.startsWith("Max nice priority")) {
					String soft = line.substring("Max nice priority".length()).trim().split("\\s+")[0];
					return soft.equals("unlimited") || 20 - Long.parseLong(soft) <= nice;
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			logger.debug("Could not read the limits of " + process + ": " + ex);
		}
		return false;
	}

	/**
	 * Whether any of the threads given is at a nice value, as the kernel says.
	 * @param threads the process's task directory
	 * @param ids the threads' ids
	 * @param nice the nice value
	 * @return whether one is, {@code false} where none can be read
	 */
	static boolean anyAt(Path threads, List<String> ids, int nice) {
		for (String id : ids) {
			try {
				// After the command's name, which may hold spaces: the state is the third field
				// of the line and the nice value the nineteenth
				String stat = Files.readString(threads.resolve(id).resolve("stat"));
				if (Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]) == nice) {
					return true;
				}
			}
			catch (IOException | RuntimeException ex) {
				// A thread that ended meanwhile
			}
		}
		return false;
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
			return COMPILER_THREAD.matcher(Files.readString(task.resolve("comm")).trim()).matches();
		}
		catch (IOException ex) {
			// A thread that ended meanwhile
			return false;
		}
	}

}
