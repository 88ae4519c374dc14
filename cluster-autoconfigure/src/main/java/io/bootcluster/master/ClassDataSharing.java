package io.bootcluster.master;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Workers that start from a class data sharing archive of the application: the JVM maps
 * the classes it would otherwise load, parse and verify one by one, and every worker maps
 * the same pages.
 * <p>
 * The archive comes from a training run: the application starts alone, on ports of its
 * own, serves one request and exits before its runners run, and the JVM writes what it
 * loaded. The JDK archives classes from plain jars only, while an
 * executable Boot jar keeps the application in nested ones: for such a jar the master first
 * extracts it with Boot's {@code jarmode=tools}, and workers run the extracted copy. Both
 * live in a directory of their own, named after the application and a digest of everything
 * the archive depends on (the JDK, the JVM options, the jars and their sizes and times), so
 * a new build or another JDK gets a new archive.
 * <p>
 * The JVM checks an archive against its class path and itself at every start, and starts
 * without it, with a warning in the worker's log, when they do not match: an archive that is
 * stale or broken costs speed, never a start. On Java 25 and later the archive is an AOT
 * cache, which holds linked classes as well.
 */
final class ClassDataSharing {

	private static final Log logger = LogFactory.getLog(ClassDataSharing.class);

	// Options with which the user chose class data sharing for themselves
	private static final List<String> USER_OPTIONS = List.of("-Xshare", "-XX:SharedArchiveFile",
			"-XX:ArchiveClassesAtExit", "-XX:+AutoCreateSharedArchive", "-XX:AOTCache", "-XX:AOTMode",
			"-XX:AOTConfiguration", "-XX:AOTCacheOutput");

	private static final int AOT_CACHE_RELEASE = 25;

	private final WorkerCommand.Launch launch;

	private final List<String> workerJvmArguments;

	private final Path home;

	private final @Nullable Path executableJar;

	private final boolean aotCache;

	private ClassDataSharing(WorkerCommand.Launch launch, List<String> workerJvmArguments, Path home,
			@Nullable Path executableJar, boolean aotCache) {
		this.launch = launch;
		this.workerJvmArguments = List.copyOf(workerJvmArguments);
		this.home = home;
		this.executableJar = executableJar;
		this.aotCache = aotCache;
	}

	/**
	 * Plans class data sharing for the workers of an application.
	 * @param launch how the application was launched
	 * @param workerJvmArguments options for workers only
	 * @param directory where archives are kept
	 * @return the plan, or {@code null} when the user's JVM options already say how to
	 * share class data
	 */
	static @Nullable ClassDataSharing plan(WorkerCommand.Launch launch, List<String> workerJvmArguments,
			Path directory) {
		if (Stream.concat(launch.inputArguments().stream(), workerJvmArguments.stream())
			.anyMatch((option) -> USER_OPTIONS.stream().anyMatch(option::startsWith))) {
			logger.info("Workers share class data as their JVM options say; the cluster creates no archive");
			return null;
		}
		if (Stream.of(launch.classPath().split(File.pathSeparator)).map(Path::of).anyMatch(Files::isDirectory)) {
			logger.info("Workers start without a class data archive: the JVM archives classes from jars only, and "
					+ "this class path has directories (an IDE or a build tool's launch); an executable jar gets one");
			return null;
		}
		if (!isPrivate(directory)) {
			return null;
		}
		Path executableJar = executableJar(launch);
		String name = (executableJar != null) ? executableJar.getFileName().toString().replaceFirst("\\.jar$", "")
				: launch.javaCommand().split(" ", 2)[0].replaceFirst(".*[./]", "");
		String key = digest(launch, workerJvmArguments);
		return new ClassDataSharing(launch, workerJvmArguments, directory.resolve(name + "-" + key), executableJar,
				Runtime.version().feature() >= AOT_CACHE_RELEASE);
	}

	/**
	 * The archive, which exists once created.
	 * @return its path
	 */
	Path archive() {
		return this.home.resolve(this.aotCache ? "app.aot" : "app.jsa");
	}

	boolean archiveExists() {
		return Files.isRegularFile(archive()) && (this.executableJar == null || Files.isDirectory(extracted()));
	}

	/**
	 * Whether the JVM can map the archive with the workers' options and class path: a
	 * JVM refuses a damaged archive, or one made by another JDK, without a word, and would
	 * start without any shared class data at all.
	 * @param timeout how long the check may take
	 * @return whether the archive maps
	 */
	boolean archiveMaps(Duration timeout) {
		List<String> check = new ArrayList<>();
		check.add(java());
		check.addAll(WorkerCommand.jvmOptions(this.launch));
		check.addAll(this.workerJvmArguments);
		check.addAll(List.of(this.aotCache ? "-XX:AOTMode=on" : "-Xshare:on",
				(this.aotCache ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=") + archive(), "-cp",
				archivedLaunch().classPath(), "-version"));
		try {
			run(check, "check.log", timeout);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * Deletes the archive, so that it is created again.
	 */
	void discardArchive() {
		try {
			Files.deleteIfExists(archive());
		}
		catch (IOException ex) {
			// Overwritten by the next one
		}
	}

	/**
	 * The command that starts a worker now: from the archive once it exists, plainly
	 * before.
	 * @return the command line
	 */
	List<String> command() {
		if (!archiveExists()) {
			return WorkerCommand.build(this.launch, this.workerJvmArguments);
		}
		return WorkerCommand.build(archivedLaunch(),
				with(this.workerJvmArguments, (this.aotCache ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=") + archive()));
	}

	/**
	 * Creates the archive: extracts the executable jar if there is one, then runs the
	 * application once to train. Failures are logged; the workers then start without it.
	 * @param timeout how long each step may take
	 * @return whether the archive exists now
	 */
	boolean create(Duration timeout) {
		long started = System.nanoTime();
		try {
			Files.createDirectories(this.home);
			if (this.executableJar != null && !Files.isDirectory(extracted())) {
				extract(this.executableJar, timeout);
			}
			Path written = this.home.resolve(archive().getFileName() + ".tmp");
			Files.deleteIfExists(written);
			List<String> training = WorkerCommand.build(archivedLaunch(), with(this.workerJvmArguments,
					(this.aotCache ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=") + written));
			run(training, "training.log", timeout);
			if (!Files.isRegularFile(written)) {
				throw new IOException("the training run wrote no archive; see " + this.home.resolve("training.log"));
			}
			Files.move(written, archive(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			removeOlderArchives();
			logger.info("Created the class data archive " + archive() + " in "
					+ TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms: workers started from now on "
					+ "use it");
			return true;
		}
		catch (IOException ex) {
			logger.warn("Could not create a class data archive in " + this.home + ": " + ex.getMessage()
					+ ". Workers start without one");
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private WorkerCommand.Launch archivedLaunch() {
		if (this.executableJar == null) {
			return this.launch;
		}
		String jar = extracted().resolve(this.executableJar.getFileName()).toString();
		String[] command = this.launch.javaCommand().split(" ", 2);
		return new WorkerCommand.Launch(this.launch.javaHome(), this.launch.inputArguments(),
				this.launch.environment(), jar, (command.length > 1) ? jar + " " + command[1] : jar,
				this.launch.modulePath(), this.launch.programArguments());
	}

	private Path extracted() {
		return this.home.resolve("app");
	}

	// Into a directory of its own first, so that an interrupted extraction is never used
	private void extract(Path jar, Duration timeout) throws IOException, InterruptedException {
		Path target = this.home.resolve("app-" + ProcessHandle.current().pid());
		deleteRecursively(target);
		run(List.of(java(), "-Djarmode=tools", "-jar", jar.toString(), "extract", "--destination", target.toString()),
				"extract.log", timeout);
		try {
			Files.move(target, extracted(), StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			// Another master extracted the same jar first
			deleteRecursively(target);
			if (!Files.isDirectory(extracted())) {
				throw ex;
			}
		}
	}

	private void run(List<String> command, String log, Duration timeout) throws IOException, InterruptedException {
		Path output = this.home.resolve(log);
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(output.toFile());
		builder.environment().put(ClusterMaster.TRAINING_ENV, "true");
		Process process = builder.start();
		process.getOutputStream().close();
		if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			process.destroyForcibly();
			throw new IOException("'" + String.join(" ", command.subList(1, command.size())) + "' took longer than "
					+ timeout.toSeconds() + "s");
		}
		if (process.exitValue() != 0) {
			throw new IOException("'" + String.join(" ", command.subList(1, command.size())) + "' exited with "
					+ process.exitValue() + ", ending with: " + lastLines(output) + " (all of it in " + output + ")");
		}
	}

	private static String lastLines(Path log) throws IOException {
		List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8)
			.stream()
			.filter((line) -> !line.isBlank())
			.toList();
		return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
	}

	private String java() {
		return Path.of(this.launch.javaHome(), "bin", "java").toString();
	}

	// Archives of earlier builds of the same application are of no further use
	private void removeOlderArchives() {
		String prefix = this.home.getFileName().toString().replaceFirst("[0-9a-f]+$", "");
		try (Stream<Path> siblings = Files.list(this.home.getParent())) {
			siblings.filter((sibling) -> !sibling.equals(this.home))
				.filter((sibling) -> sibling.getFileName().toString().matches(Pattern.quote(prefix) + "[0-9a-f]{16}"))
				.forEach(ClassDataSharing::deleteRecursively);
		}
		catch (IOException ex) {
			// Left for the next time
		}
	}

	private static void deleteRecursively(Path path) {
		if (!Files.exists(path)) {
			return;
		}
		try (Stream<Path> files = Files.walk(path)) {
			files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach((file) -> file.toFile().delete());
		}
		catch (IOException ex) {
			// Left behind, harmless
		}
	}

	// Workers run what this directory holds: no one but this user may write there
	private static boolean isPrivate(Path directory) {
		try {
			if (!Files.isDirectory(directory)) {
				Files.createDirectories(directory,
						PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
			}
			Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(directory);
			String owner = Files.getOwner(directory).getName();
			if (owner.equals(System.getProperty("user.name")) && !permissions.contains(PosixFilePermission.GROUP_WRITE)
					&& !permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
				return true;
			}
			logger.warn("Workers start without a class data archive: " + directory + " belongs to " + owner
					+ " or others may write to it, and workers would run what it holds. Set "
					+ "cluster.worker.class-data-sharing.directory to a directory only this user may write to");
			return false;
		}
		catch (UnsupportedOperationException ex) {
			// No POSIX permissions on this file system: nothing more to check
			return true;
		}
		catch (IOException ex) {
			logger.warn("Workers start without a class data archive: cannot use " + directory + " (" + ex + ")");
			return false;
		}
	}

	// A Boot executable jar launched with -jar: its classes are in nested jars
	private static @Nullable Path executableJar(WorkerCommand.Launch launch) {
		String classPath = launch.classPath();
		if (launch.modulePath() != null || classPath.contains(File.pathSeparator) || !classPath.endsWith(".jar")
				|| !launch.javaCommand().startsWith(classPath)) {
			return null;
		}
		try (JarFile jar = new JarFile(classPath)) {
			boolean executable = jar.getManifest() != null
					&& jar.getManifest().getMainAttributes().getValue("Spring-Boot-Lib") != null;
			return executable ? Path.of(classPath).toAbsolutePath() : null;
		}
		catch (IOException ex) {
			return null;
		}
	}

	// What the archive depends on: the JDK, the options, and every jar as it is now
	static String digest(WorkerCommand.Launch launch, List<String> workerJvmArguments) {
		List<String> parts = new ArrayList<>();
		parts.add(launch.javaHome());
		parts.add(Runtime.version().toString());
		parts.addAll(launch.inputArguments());
		parts.addAll(workerJvmArguments);
		parts.add(launch.javaCommand().split(" ", 2)[0]);
		for (String entry : launch.classPath().split(File.pathSeparator)) {
			Path path = Path.of(entry);
			parts.add(entry);
			if (Files.isRegularFile(path)) {
				try {
					parts.add(Files.size(path) + "@" + Files.getLastModifiedTime(path).toMillis());
				}
				catch (IOException ex) {
					parts.add("unreadable");
				}
			}
		}
		try {
			MessageDigest sha = MessageDigest.getInstance("SHA-256");
			byte[] hash = sha.digest(String.join("\n", parts).getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(hash, 0, 8);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static List<String> with(List<String> options, String... more) {
		List<String> all = new ArrayList<>(options);
		all.addAll(List.of(more));
		return all;
	}

}
