package io.bootcluster.master;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Workers that start from a class data sharing archive of the application: the JVM maps
 * the classes it would otherwise load, parse and verify one by one, and every worker maps
 * the same pages.
 * <p>
 * The archive comes from a training run: the application, started outside the cluster,
 * refreshes its context and exits before anything starts
 * ({@code spring.context.exit=onRefresh}, as Spring Boot recommends for training), and the
 * JVM writes what it loaded. The JDK archives classes from plain jars only, while an
 * executable Boot jar keeps the application in nested ones: for such a jar the master first
 * extracts it with Boot's {@code jarmode=tools}, and workers run the extracted copy. Both
 * live in a directory of their own, named after the application and a digest of everything
 * the archive depends on (the JDK, the JVM options, the jars and their sizes and times), so
 * a new build or another JDK gets a new archive.
 * <p>
 * The JVM checks an archive against its class path and itself at every start, and starts
 * without it, with a warning in the worker's log or without a word, when they do not match:
 * an archive that is stale or broken costs speed, never a start. The master checks it once
 * the workers listen, and makes it again when it does not map. On Java 25 and later the archive is an AOT
 * cache, which holds linked classes as well.
 */
final class ClassDataSharing {

	private static final Log logger = LogFactory.getLog(ClassDataSharing.class);

	// Options with which the user chose class data sharing for themselves
	private static final List<String> USER_OPTIONS = List.of("-Xshare", "-XX:SharedArchiveFile",
			"-XX:ArchiveClassesAtExit", "-XX:+AutoCreateSharedArchive", "-XX:AOTCache", "-XX:AOTMode",
			"-XX:AOTConfiguration", "-XX:AOTCacheOutput");

	private static final int AOT_CACHE_RELEASE = 25;

	private static final Duration UNUSED_ARCHIVE_AGE = Duration.ofDays(1);

	private final WorkerCommand.Launch launch;

	private final List<String> workerJvmArguments;

	private final Path home;

	private final @Nullable Path executableJar;

	private final boolean aotCache;

	private final String digest;

	private final String unique = Long.toString(ProcessHandle.current().pid());

	private ClassDataSharing(WorkerCommand.Launch launch, List<String> workerJvmArguments, Path home,
			@Nullable Path executableJar, boolean aotCache, String digest) {
		this.launch = launch;
		this.workerJvmArguments = List.copyOf(workerJvmArguments);
		this.home = home;
		this.executableJar = executableJar;
		this.aotCache = aotCache;
		this.digest = digest;
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
		if (!ArchiveDirectory.isPrivate(directory)) {
			return null;
		}
		Path executableJar = executableJar(launch);
		String name = (executableJar != null) ? executableJar.getFileName().toString().replaceFirst("\\.jar$", "")
				: launch.javaCommand().split(" ", 2)[0].replaceFirst(".*[./]", "");
		// The application's name and where it lives, then everything the archive depends on
		String where = hash(List.of(launch.javaCommand().split(" ", 2)[0], launch.classPath())).substring(0, 8);
		String digest = digest(launch, workerJvmArguments);
		ClassDataSharing plan = new ClassDataSharing(launch, workerJvmArguments,
				directory.resolve(name + "-" + where + "-" + digest), executableJar,
				Runtime.version().feature() >= AOT_CACHE_RELEASE, digest);
		plan.markUsed();
		// A master runs for days: its archive stays marked, so that no other master of a
		// newer build removes it as unused while its workers still start from it
		ArchiveDirectory.keepMarked(plan.home);
		return plan;
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
	 * Whether an earlier training run of this very build failed: it is not tried again,
	 * since it would fail the same way, and run the application's startup once more.
	 * @return whether training failed before
	 */
	boolean trainingFailedBefore() {
		return Files.exists(failureMarker());
	}

	Path failureMarker() {
		return this.home.resolve("training-failed");
	}

	/**
	 * Whether a JVM with the workers' options and class path refuses to map the archive: a
	 * worker's JVM ignores a damaged archive, or one made by another JDK, without a word,
	 * and starts without any shared class data at all. A check ended from outside (the
	 * master stopping, whose shutdown hook ends every helper) or killed for time says
	 * nothing about the archive, which is then kept.
	 * @param timeout how long the check may take
	 * @return whether the JVM refused it
	 */
	boolean archiveRefused(Duration timeout) {
		List<String> check = new ArrayList<>();
		check.add(WorkerCommand.java(this.launch));
		check.addAll(WorkerCommand.jvmOptions(this.launch));
		check.addAll(this.workerJvmArguments);
		check.addAll(List.of(this.aotCache ? "-XX:AOTMode=on" : "-Xshare:on", mapArchive(), "-cp",
				archivedLaunch().classPath(), "-version"));
		try {
			run(check, "check-" + this.unique + ".log", timeout);
			return false;
		}
		catch (HelperJvm.Ended | HelperJvm.Stalled ex) {
			return false;
		}
		catch (IOException ex) {
			return true;
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
		if (!archiveExists() || applicationChanged()) {
			return WorkerCommand.build(this.launch, this.workerJvmArguments);
		}
		return WorkerCommand.build(archivedLaunch(), with(this.workerJvmArguments, mapArchive()));
	}

	private String mapArchive() {
		return (this.aotCache ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=") + archive();
	}

	/**
	 * Creates the archive: extracts the executable jar if there is one, then runs the
	 * application once to train. Failures are logged; the workers then start without it.
	 * @param timeout how long each step may go on without progress
	 * @return whether it is worth another try: the training was killed for time (the
	 * machine was too busy), not for what it did
	 */
	boolean create(Duration timeout) {
		long started = System.nanoTime();
		try {
			Files.createDirectories(this.home);
			if (this.executableJar != null && !Files.isDirectory(extracted())) {
				extract(this.executableJar, timeout);
			}
			// Named after this master: another master of the same build may train at once
			Path written = this.home.resolve(archive().getFileName() + "." + this.unique + ".tmp");
			List<String> training = WorkerCommand.build(archivedLaunch(),
					with(this.workerJvmArguments,
							(this.aotCache ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=") + written,
							"-Dspring.context.exit=onRefresh"));
			try {
				run(training, "training-" + this.unique + ".log", timeout);
				if (!Files.isRegularFile(written)) {
					throw new IOException("the training run wrote no archive");
				}
			}
			catch (HelperJvm.Stalled | HelperJvm.Ended ex) {
				throw ex;
			}
			catch (IOException ex) {
				// It would fail the same way again: not tried again for this build
				Files.writeString(failureMarker(), ex.getMessage() + "\n");
				throw ex;
			}
			Files.move(written, archive(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			logger.info("Created the class data archive " + archive() + " in "
					+ TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms: workers started from now on "
					+ "use it");
			removeUnusedArchives();
			return false;
		}
		catch (HelperJvm.Stalled ex) {
			logger.warn("Could not create a class data archive in " + this.home + " this time: " + ex.getMessage()
					+ ". Workers start without one until it is made");
			return true;
		}
		catch (HelperJvm.Ended ex) {
			// The next master tries again
			logger.info("The class data archive's training was stopped: " + ex.getMessage());
			return false;
		}
		catch (IOException | UncheckedIOException ex) {
			logger.warn("Could not create a class data archive in " + this.home + ": " + ex.getMessage()
					+ ". Workers start without one");
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	// A jar replaced in place since the master started (a deploy, then a rolling restart):
	// the archive and the extracted copy are of the old build, so workers run the new one
	// plainly, and the next master makes its archive
	private boolean applicationChanged() {
		return !digest(this.launch, this.workerJvmArguments).equals(this.digest);
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
		Path target = this.home.resolve("app-" + this.unique);
		ArchiveDirectory.deleteRecursively(target);
		run(List.of(WorkerCommand.java(this.launch), "-Djarmode=tools", "-jar", jar.toString(), "extract",
				"--destination", target.toString()), "extract-" + this.unique + ".log", timeout);
		try {
			Files.move(target, extracted(), StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			// Another master extracted the same jar first
			ArchiveDirectory.deleteRecursively(target);
			if (!Files.isDirectory(extracted())) {
				throw ex;
			}
		}
	}

	private void run(List<String> command, String log, Duration timeout) throws IOException, InterruptedException {
		HelperJvm.run(command, this.home.resolve(log), timeout);
	}

	// Each master marks the archive it uses, so that no other master takes it for unused
	private void markUsed() {
		ArchiveDirectory.markUsed(this.home);
	}

	private void removeUnusedArchives() {
		ArchiveDirectory.removeUnused(this.home, UNUSED_ARCHIVE_AGE);
		ArchiveDirectory.removeBeyond(this.home.getParent(), ArchiveDirectory.MAX_SIZE, this.home);
	}

	// A Boot executable jar launched with -jar: its classes are in nested jars
	private static @Nullable Path executableJar(WorkerCommand.Launch launch) {
		String classPath = launch.classPath();
		if (launch.modulePath() != null || classPath.contains(File.pathSeparator) || !classPath.endsWith(".jar")
				|| !launch.javaCommand().startsWith(classPath)) {
			return null;
		}
		try (JarFile jar = new JarFile(classPath)) {
			// Not with PropertiesLauncher: its loader.path would not survive the extraction
			boolean executable = jar.getManifest() != null
					&& jar.getManifest().getMainAttributes().getValue("Spring-Boot-Lib") != null
					&& !String.valueOf(jar.getManifest().getMainAttributes().getValue("Main-Class"))
						.endsWith("PropertiesLauncher");
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
		// Not the heap's size, which the cluster derives from the number of workers: an archive
		// maps with any heap that keeps compressed oops, and the check once the workers listen
		// catches one that does not
		Stream.concat(launch.inputArguments().stream(), workerJvmArguments.stream())
			.filter((option) -> !WorkerSizing.sizesHeap(option))
			.forEach(parts::add);
		parts.add(launch.javaCommand().split(" ", 2)[0]);
		addClassPath(parts, launch.classPath());
		return hash(parts);
	}

	/**
	 * Adds every entry of a class path to what a digest covers, each jar with its size and
	 * time, so that a new build gets another digest.
	 * @param parts what the digest covers
	 * @param classPath the class path
	 */
	static void addClassPath(List<String> parts, String classPath) {
		for (String entry : classPath.split(File.pathSeparator)) {
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
	}

	static String hash(List<String> parts) {
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
