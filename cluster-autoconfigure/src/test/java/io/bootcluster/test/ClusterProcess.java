package io.bootcluster.test;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real JVM started by a test: usually a cluster's master, whose output carries its
 * workers' lines too. Every wait has a deadline, and {@link #close()} kills the process
 * and everything it started, whatever the test did.
 */
public final class ClusterProcess implements AutoCloseable {

	/**
	 * Options that make a small Boot app start faster on a small machine. A test's JVMs
	 * load only classes the build compiled or downloaded: verifying them again took a tenth
	 * of each start.
	 */
	public static final List<String> FAST_JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
			"-Xss512k", "-XX:CICompilerCount=2", "-XX:+UnlockDiagnosticVMOptions",
			"-XX:-BytecodeVerificationRemote");

	private final Process process;

	private final List<String> lines = new ArrayList<>();

	private final Path log;

	private final Thread reader;

	// While set, nobody reads the process's output: its pipe fills, and its writes block
	private final AtomicBoolean outputPaused = new AtomicBoolean();

	private ClusterProcess(Process process, Path log) {
		this.process = process;
		this.log = log;
		this.reader = new Thread(this::readOutput, "output-" + process.pid());
		this.reader.setDaemon(true);
		this.reader.start();
	}

	/**
	 * Starts a main class from this test's class path.
	 * @param mainClass the application's main class
	 * @param arguments program arguments
	 * @return the started process
	 */
	public static ClusterProcess startClass(Class<?> mainClass, String... arguments) {
		return startClass(WebServerKind.TOMCAT, mainClass, arguments);
	}

	/**
	 * Starts a main class from this test's class path, with one kind of web server on it.
	 * @param server the web server the application gets
	 * @param mainClass the application's main class
	 * @param arguments program arguments
	 * @return the started process
	 */
	public static ClusterProcess startClass(WebServerKind server, Class<?> mainClass, String... arguments) {
		return startClass(classPath(server).collect(Collectors.joining(File.pathSeparator)), mainClass, arguments);
	}

	/**
	 * Starts a main class from this test's class path, with Tomcat, where every directory
	 * is packed into a jar first, unless an earlier start packed it already: a class path of
	 * jars only, as a deployment has.
	 * @param jars where the jars are written
	 * @param mainClass the application's main class
	 * @param arguments program arguments
	 * @return the started process
	 */
	public static ClusterProcess startClassFromJars(Path jars, Class<?> mainClass, String... arguments) {
		return startClassFromJars(jars, List.of(), mainClass, arguments);
	}

	/**
	 * Starts a main class as {@link #startClassFromJars(Path, Class, String...)} does, with
	 * jars that the build otherwise leaves out of the applications the tests start.
	 * @param jars where the jars are written
	 * @param included which of the build's exclusions ({@code test.cluster.class-path-excludes})
	 * to put back
	 * @param mainClass the application's main class
	 * @param arguments program arguments
	 * @return the started process
	 */
	public static ClusterProcess startClassFromJars(Path jars, List<String> included, Class<?> mainClass,
			String... arguments) {
		List<String> classPath = new ArrayList<>();
		classPath(WebServerKind.TOMCAT, included).forEach((entry) -> classPath.add(Files.isDirectory(Path.of(entry))
				? jar(Path.of(entry), jars.resolve(classPath.size() + ".jar")).toString() : entry));
		return startClass(String.join(File.pathSeparator, classPath), mainClass, arguments);
	}

	/**
	 * Starts a main class from this test's class path, with Tomcat, and with more
	 * environment variables.
	 * @param environment the variables to add
	 * @param mainClass the application's main class
	 * @param arguments program arguments
	 * @return the started process
	 */
	public static ClusterProcess startClass(Map<String, String> environment, Class<?> mainClass,
			String... arguments) {
		return start(command(classPath(WebServerKind.TOMCAT).collect(Collectors.joining(File.pathSeparator)),
				mainClass, arguments), environment);
	}

	private static ClusterProcess startClass(String classPath, Class<?> mainClass, String... arguments) {
		return start(command(classPath, mainClass, arguments), Map.of());
	}

	private static List<String> command(String classPath, Class<?> mainClass, String... arguments) {
		List<String> command = new ArrayList<>(javaCommand());
		command.add("-cp");
		command.add(classPath);
		command.add(mainClass.getName());
		command.addAll(List.of(arguments));
		return command;
	}

	// The test class path, but for the other servers' jars and those the build says only
	// its in-process tests need
	private static Stream<String> classPath(WebServerKind server) {
		return classPath(server, List.of());
	}

	private static Stream<String> classPath(WebServerKind server, List<String> included) {
		List<String> excluded = Stream
			.concat(server.others(),
					Stream.of(System.getProperty("test.cluster.class-path-excludes", "").split(","))
						.filter((jar) -> !jar.isBlank() && !included.contains(jar)))
			.toList();
		return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
			.filter((entry) -> excluded.stream().noneMatch(entry::contains));
	}

	private static Path jar(Path directory, Path jar) {
		if (Files.exists(jar)) {
			return jar;
		}
		try (Stream<Path> files = Files.walk(directory);
				JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
			for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
				out.putNextEntry(new JarEntry(directory.relativize(file).toString().replace(File.separatorChar, '/')));
				Files.copy(file, out);
				out.closeEntry();
			}
			return jar;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Starts an executable jar.
	 * @param jar the jar
	 * @param arguments program arguments
	 * @return the started process
	 */
	public static ClusterProcess startJar(Path jar, String... arguments) {
		List<String> command = new ArrayList<>(javaCommand());
		command.add("-jar");
		command.add(jar.toAbsolutePath().toString());
		command.addAll(List.of(arguments));
		return start(command, Map.of());
	}

	/**
	 * Starts a JVM with the given launch arguments.
	 * @param arguments what follows {@code java} and the test's JVM options
	 * @return the started process
	 */
	public static ClusterProcess startJava(String... arguments) {
		return startJava(Path.of(System.getProperty("java.home")), arguments);
	}

	/**
	 * Starts a JVM of another Java installation, such as a newer release than the tests
	 * run on.
	 * @param javaHome the installation
	 * @param arguments what follows its {@code java} and the test's JVM options
	 * @return the started process
	 */
	public static ClusterProcess startJava(Path javaHome, String... arguments) {
		List<String> command = new ArrayList<>(javaCommand(javaHome));
		command.addAll(List.of(arguments));
		return start(command, Map.of());
	}

	private static List<String> javaCommand() {
		return javaCommand(Path.of(System.getProperty("java.home")));
	}

	private static List<String> javaCommand(Path javaHome) {
		List<String> command = new ArrayList<>();
		command.add(javaHome.resolve("bin").resolve("java").toString());
		command.addAll(FAST_JVM_OPTIONS);
		return command;
	}

	private static ClusterProcess start(List<String> command, Map<String, String> environment) {
		try {
			Path logs = Files.createDirectories(Path.of("target", "process-logs"));
			Path log = Files.createTempFile(logs, "cluster-", ".log");
			ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
			builder.environment().remove("CLUSTER_WORKER_ID");
			// A training run for a class data archive would compete with the tests for the
			// CPU: only the tests of the archive turn it on, with an argument, which wins
			builder.environment().put("CLUSTER_WORKER_CLASSDATASHARING_ENABLED", "false");
			builder.environment().putAll(environment);
			return new ClusterProcess(builder.start(), log);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private void readOutput() {
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				while (this.outputPaused.get()) {
					Processes.sleep(Duration.ofMillis(50));
				}
				synchronized (this.lines) {
					this.lines.add(line);
					this.lines.notifyAll();
				}
				Files.writeString(this.log, line + "\n", StandardCharsets.UTF_8,
						java.nio.file.StandardOpenOption.APPEND);
			}
		}
		catch (IOException ex) {
			// Process gone
		}
	}

	public long pid() {
		return this.process.pid();
	}

	/**
	 * Stops reading the process's output, as a stalled terminal or log shipper would.
	 */
	public void pauseOutput() {
		this.outputPaused.set(true);
	}

	/**
	 * Reads the process's output again.
	 */
	public void resumeOutput() {
		this.outputPaused.set(false);
	}

	public Process process() {
		return this.process;
	}

	/**
	 * The output so far.
	 * @return the lines, master's and workers' together
	 */
	public List<String> lines() {
		synchronized (this.lines) {
			return List.copyOf(this.lines);
		}
	}

	/**
	 * Waits for a line matching a pattern.
	 * @param regex the pattern, found anywhere in the line
	 * @param timeout the deadline
	 * @return the match
	 */
	public Matcher awaitLine(String regex, Duration timeout) {
		return awaitLines(regex, 1, timeout).get(0);
	}

	/**
	 * Waits until {@code count} lines match a pattern.
	 * @param regex the pattern, found anywhere in a line
	 * @param count how many lines must match
	 * @param timeout the deadline
	 * @return the matches, in output order
	 */
	public List<Matcher> awaitLines(String regex, int count, Duration timeout) {
		Pattern pattern = Pattern.compile(regex);
		long deadline = System.nanoTime() + timeout.toNanos();
		synchronized (this.lines) {
			while (true) {
				List<Matcher> matches = this.lines.stream()
					.map(pattern::matcher)
					.filter(Matcher::find)
					.toList();
				if (matches.size() >= count) {
					return matches;
				}
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					throw new AssertionError("Waited " + timeout.toSeconds() + "s for " + count + " lines matching '"
							+ regex + "' but saw " + matches.size() + "; output in " + this.log + ":\n" + tail());
				}
				try {
					this.lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new AssertionError(ex);
				}
			}
		}
	}

	/**
	 * Lines matching a pattern so far.
	 * @param regex the pattern
	 * @return the matching lines
	 */
	public List<String> linesMatching(String regex) {
		Predicate<String> matches = Pattern.compile(regex).asPredicate();
		return lines().stream().filter(matches).toList();
	}

	private String tail() {
		List<String> all = this.lines;
		return String.join("\n", all.subList(Math.max(0, all.size() - 60), all.size()));
	}

	/**
	 * Waits for the process to exit.
	 * @param timeout the deadline
	 * @return the exit code
	 */
	public int awaitExit(Duration timeout) {
		try {
			if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new AssertionError("Process " + pid() + " did not exit within " + timeout.toSeconds()
						+ "s; output in " + this.log + ":\n" + tail());
			}
			// The last lines may still be on their way through the pipe
			this.reader.join(5000);
			return this.process.exitValue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	/** Sends SIGTERM. */
	public void terminate() {
		// Through the handle: Process.destroy() would also close our end of its output
		this.process.toHandle().destroy();
	}

	/** Sends SIGKILL. */
	public void kill() {
		this.process.toHandle().destroyForcibly();
	}

	/**
	 * The process's live descendants.
	 * @return their handles
	 */
	public List<ProcessHandle> descendants() {
		return this.process.descendants().toList();
	}

	/**
	 * Stops the process and everything it started: gracefully first, so the cluster cleans
	 * up after itself, then by force.
	 */
	@Override
	public void close() {
		List<ProcessHandle> family = descendants();
		try {
			if (this.process.isAlive()) {
				terminate();
				this.process.waitFor(15, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			this.process.toHandle().destroyForcibly();
			family.forEach(ProcessHandle::destroyForcibly);
		}
	}

}
