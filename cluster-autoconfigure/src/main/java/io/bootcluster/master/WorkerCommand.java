package io.bootcluster.master;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.bootcluster.server.HandshakeFence;
import org.jspecify.annotations.Nullable;

/**
 * The command line that starts a worker: the master's own java executable, JVM options,
 * launch target and program arguments, rebuilt so the worker is the same application.
 * <p>
 * Options that came from {@code JAVA_TOOL_OPTIONS} or {@code JDK_JAVA_OPTIONS} are left
 * out, since the worker inherits the environment and would apply them twice; so are
 * debugger and JMX port options, which would clash with the master's ports.
 */
final class WorkerCommand {

	private static final Path HUGE_PAGES_MODE = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");

	private static final List<String> OPTIONS_FROM_ENVIRONMENT = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS");

	private static final List<String> PORT_BOUND_OPTIONS = List.of("-agentlib:jdwp", "-Xrunjdwp", "-Xdebug",
			"-Dcom.sun.management.jmxremote.port=", "-Dcom.sun.management.jmxremote.rmi.port=");

	// Module launches show up among the input arguments; the target below adds them again
	private static final List<String> LAUNCH_TARGET_OPTIONS = List.of("--module-path=", "-Djdk.module.main=");

	private WorkerCommand() {
	}

	/**
	 * The command line for a worker of a launched application.
	 * @param launch how the application was launched
	 * @param workerJvmArguments options for workers only
	 * @return the command line
	 */
	static List<String> build(Launch launch, List<String> workerJvmArguments) {
		List<String> command = new ArrayList<>();
		command.add(java(launch));
		List<String> options = jvmOptions(launch);
		command.addAll(options);
		command.addAll(workerJvmArguments);
		// A worker out of memory cannot be trusted to do anything, reporting included: it
		// exits, and the master replaces it. Unless the user chose what happens
		if (Stream.concat(options.stream(), workerJvmArguments.stream())
			.noneMatch((option) -> option.contains("OnOutOfMemoryError"))) {
			command.add("-XX:+ExitOnOutOfMemoryError");
		}
		command.add("-Dspring.devtools.restart.enabled=false");
		command.addAll(target(launch));
		command.addAll(launch.programArguments());
		return command;
	}

	/**
	 * The launcher of the JVM that runs the application.
	 * @param launch how the application was launched
	 * @return the path of its {@code java}
	 */
	static String java(Launch launch) {
		return Path.of(launch.javaHome(), "bin", isWindows() ? "java.exe" : "java").toString();
	}

	/**
	 * The running JVM's options that a worker takes over.
	 * @param launch how the application was launched
	 * @return the options
	 */
	static List<String> jvmOptions(Launch launch) {
		List<String> options = new ArrayList<>(launch.inputArguments());
		environmentOptions(launch.environment()).forEach(options::remove);
		options.removeIf((option) -> startsWithAny(option, PORT_BOUND_OPTIONS)
				|| startsWithAny(option, LAUNCH_TARGET_OPTIONS));
		return options;
	}

	/**
	 * The option that lets a worker load the handshake fence's native library: from Java
	 * 22 on, a JVM warns on its output when a library is loaded without leave, and a later
	 * release refuses.
	 * @param jvmOptions the options the worker runs with already
	 * @return the option, or none when given or not needed
	 */
	static List<String> nativeAccess(List<String> jvmOptions) {
		boolean given = jvmOptions.stream().anyMatch((option) -> option.startsWith("--enable-native-access"));
		return (Runtime.version().feature() >= 22 && !given && HandshakeFence.isPackaged())
				? List.of("--enable-native-access=ALL-UNNAMED") : List.of();
	}

	/**
	 * The option that puts a worker's heap in transparent huge pages where the kernel gives
	 * them on request. The kernel frees a killed JVM's memory before it closes its sockets,
	 * which is when the master can know of the death, and frees huge pages several times
	 * sooner: 15 to 25 ms against 35 to 85 ms for a JVM of 300 to 550 MB on a small machine.
	 * Not where the kernel gives them to every process (the heap is in them already) or to
	 * none, nor when the JVM's options say anything of large pages.
	 * @param jvmOptions the options the worker runs with already
	 * @param kernelMode the kernel's mode ({@code always}, {@code madvise} or
	 * {@code never}), or {@code null} where it has none
	 * @return the option, or none
	 */
	static List<String> hugePages(List<String> jvmOptions, @Nullable String kernelMode) {
		boolean given = jvmOptions.stream()
			.anyMatch((option) -> option.contains("HugePages") || option.contains("LargePages")
					|| option.contains("HugeTLBFS"));
		return ("madvise".equals(kernelMode) && !given) ? List.of("-XX:+UseTransparentHugePages") : List.of();
	}

	/**
	 * The kernel's mode for transparent huge pages.
	 * @return {@code always}, {@code madvise} or {@code never}, or {@code null} where the
	 * kernel has no such setting
	 */
	static @Nullable String hugePagesMode() {
		try {
			// "always [madvise] never": the mode in force is in brackets
			String modes = Files.readString(HUGE_PAGES_MODE);
			int open = modes.indexOf('[');
			int close = modes.indexOf(']', open + 1);
			return (open >= 0 && close > open) ? modes.substring(open + 1, close) : null;
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	/**
	 * The JVM options that {@code JAVA_TOOL_OPTIONS} and {@code JDK_JAVA_OPTIONS} give
	 * every JVM started with this environment, workers included.
	 * @param environment the environment
	 * @return the options, in order
	 */
	static List<String> environmentOptions(Map<String, String> environment) {
		List<String> options = new ArrayList<>();
		for (String variable : OPTIONS_FROM_ENVIRONMENT) {
			String value = environment.get(variable);
			if (value != null) {
				options.addAll(tokenize(value));
			}
		}
		return options;
	}

	private static List<String> target(Launch launch) {
		String mainToken = launch.javaCommand().split(" ", 2)[0];
		if (launch.modulePath() != null) {
			return List.of("--module-path", launch.modulePath(), "-m", mainToken);
		}
		String classPath = launch.classPath();
		boolean singleJar = !classPath.contains(File.pathSeparator) && classPath.endsWith(".jar");
		if (singleJar && launch.javaCommand().startsWith(classPath)) {
			return List.of("-jar", Path.of(classPath).toAbsolutePath().toString());
		}
		return List.of("-cp", classPath, mainToken);
	}

	private static boolean startsWithAny(String option, List<String> prefixes) {
		return prefixes.stream().anyMatch(option::startsWith);
	}

	// The launcher splits these variables on white space, keeping quoted runs together
	static List<String> tokenize(String options) {
		List<String> tokens = new ArrayList<>();
		StringBuilder token = new StringBuilder();
		char quote = 0;
		boolean inToken = false;
		for (char c : options.toCharArray()) {
			if (quote != 0) {
				if (c == quote) {
					quote = 0;
				}
				else {
					token.append(c);
				}
			}
			else if (c == '"' || c == '\'') {
				quote = c;
				inToken = true;
			}
			else if (Character.isWhitespace(c)) {
				if (inToken) {
					tokens.add(token.toString());
					token.setLength(0);
					inToken = false;
				}
			}
			else {
				token.append(c);
				inToken = true;
			}
		}
		if (inToken) {
			tokens.add(token.toString());
		}
		return tokens;
	}

	private static boolean isWindows() {
		return System.getProperty("os.name", "").startsWith("Windows");
	}

	/**
	 * How the running JVM was launched.
	 *
	 * @param javaHome {@code java.home}
	 * @param inputArguments the JVM's input arguments
	 * @param environment the process environment
	 * @param classPath {@code java.class.path}
	 * @param javaCommand {@code sun.java.command}: the main class or jar, then the
	 * arguments
	 * @param modulePath {@code jdk.module.path}, or {@code null} on the class path
	 * @param programArguments the application's arguments, as its {@code main} got them
	 */
	record Launch(String javaHome, List<String> inputArguments, Map<String, String> environment, String classPath,
			String javaCommand, @Nullable String modulePath, List<String> programArguments) {

		/**
		 * How the running JVM was launched.
		 * @param programArguments the application's arguments
		 * @return the launch
		 */
		static Launch current(List<String> programArguments) {
			return new Launch(System.getProperty("java.home"), ManagementFactory.getRuntimeMXBean().getInputArguments(),
					System.getenv(), System.getProperty("java.class.path", ""),
					System.getProperty("sun.java.command", ""), System.getProperty("jdk.module.path"), programArguments);
		}

		@Override
		public String toString() {
			return "Launch[" + this.javaCommand + " " + Arrays.toString(this.programArguments.toArray()) + "]";
		}

	}

}
