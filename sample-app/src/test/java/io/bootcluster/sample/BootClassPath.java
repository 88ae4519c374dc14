package io.bootcluster.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The jars the sample runs on with one release of Spring Boot: what the starter and the
 * sample depend on, at the versions that release manages. A small Maven build,
 * {@code src/it/boot-classpath/pom.xml}, resolves them, so they are the jars a user's
 * build would pick. The starter's own classes are not among them: the test adds them as
 * this build made them.
 * <p>
 * The nested build runs with the Maven installation and local repository of the build
 * that runs the test, which failsafe passes on as system properties; run elsewhere, it
 * takes {@code mvn} from the {@code PATH} and Maven's default repository.
 */
final class BootClassPath {

	private static final Path POM = Path.of("src", "it", "boot-classpath", "pom.xml");

	private static final Path OUTPUT = Path.of("target", "compatibility");

	// Long enough to download a release's jars the first time, on a slow network
	private static final Duration TIMEOUT = Duration.ofMinutes(5);

	// A release run on two Javas is resolved once
	private static final Map<String, String> resolved = new HashMap<>();

	private BootClassPath() {
	}

	/**
	 * Resolves a release's class path.
	 * @param bootVersion the Spring Boot release
	 * @param properties more properties for the nested build
	 * @return the class path, jars separated as {@code java -cp} wants them
	 * @throws IOException if the nested build cannot be started or its output read
	 */
	static synchronized String resolve(String bootVersion, Map<String, String> properties) throws IOException {
		String key = bootVersion + " " + properties;
		String classPath = resolved.get(key);
		if (classPath == null) {
			classPath = resolveWithMaven(bootVersion, properties);
			resolved.put(key, classPath);
		}
		return classPath;
	}

	private static String resolveWithMaven(String bootVersion, Map<String, String> properties) throws IOException {
		Path output = Files.createDirectories(OUTPUT);
		String name = "boot-" + bootVersion + "-" + properties.getOrDefault("server", "tomcat");
		Path classPathFile = output.resolve(name + ".classpath").toAbsolutePath();
		Path log = output.resolve(name + "-maven.log");
		Files.deleteIfExists(classPathFile);
		List<String> command = command(bootVersion, properties, classPathFile);
		Process maven = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		try {
			if (!maven.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new AssertionError("Maven did not resolve Spring Boot " + bootVersion + " within "
						+ TIMEOUT.toMinutes() + " minutes: " + String.join(" ", command) + "\n" + read(log));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
		finally {
			maven.descendants().forEach(ProcessHandle::destroyForcibly);
			maven.destroyForcibly();
		}
		if (maven.exitValue() != 0 || !Files.exists(classPathFile)) {
			throw new AssertionError("Maven could not resolve Spring Boot " + bootVersion + " (exit code "
					+ maven.exitValue() + "): " + String.join(" ", command) + "\n" + read(log));
		}
		return Files.readString(classPathFile, StandardCharsets.UTF_8).trim();
	}

	private static List<String> command(String bootVersion, Map<String, String> properties, Path classPathFile) {
		List<String> command = new ArrayList<>();
		String mavenHome = System.getProperty("maven.home");
		command.add((mavenHome != null) ? Path.of(mavenHome, "bin", "mvn").toString() : "mvn");
		command.addAll(List.of("-B", "-q", "-Dstyle.color=never", "-f", POM.toAbsolutePath().toString()));
		String localRepository = System.getProperty("maven.repo.local");
		if (localRepository != null && !localRepository.isBlank()) {
			command.add("-Dmaven.repo.local=" + localRepository);
		}
		command.add("-Dspring-boot.version=" + bootVersion);
		properties.forEach((name, value) -> command.add("-D" + name + "=" + value));
		command.add("dependency:build-classpath");
		command.add("-Dmdep.outputFile=" + classPathFile);
		return command;
	}

	private static String read(Path log) throws IOException {
		return Files.readString(log, StandardCharsets.UTF_8);
	}

}
