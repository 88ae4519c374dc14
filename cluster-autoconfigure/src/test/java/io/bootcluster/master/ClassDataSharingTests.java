package io.bootcluster.master;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class ClassDataSharingTests {

	@TempDir
	Path directory;

	@Test
	void userChosenClassDataSharingIsLeftAlone() {
		WorkerCommand.Launch launch = classPathLaunch(List.of("-XX:SharedArchiveFile=/opt/app.jsa"), "classes");
		assertThat(ClassDataSharing.plan(launch, List.of(), this.directory)).isNull();
		assertThat(ClassDataSharing.plan(classPathLaunch(List.of(), "classes"), List.of("-Xshare:off"), this.directory))
			.isNull();
	}

	@Test
	void aDirectoryOthersMayWriteToIsNotUsed() throws IOException {
		Path shared = Files.createDirectory(this.directory.resolve("shared"));
		Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
		assertThat(ClassDataSharing.plan(classPathLaunch(List.of(), "app.jar"), List.of(), shared)).isNull();
		Path created = this.directory.resolve("created");
		assertThat(ClassDataSharing.plan(classPathLaunch(List.of(), "app.jar"), List.of(), created)).isNotNull();
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(created))).isEqualTo("rwx------");
	}

	@Test
	void classPathsWithDirectoriesCannotBeArchived() {
		WorkerCommand.Launch launch = classPathLaunch(List.of(), this.directory + ":lib.jar");
		assertThat(ClassDataSharing.plan(launch, List.of(), this.directory)).isNull();
	}

	@Test
	void anotherBuildOfAJarGetsAnotherArchive() throws IOException {
		Path jar = Files.writeString(this.directory.resolve("lib.jar"), "one");
		WorkerCommand.Launch launch = classPathLaunch(List.of(), "classes:" + jar);
		String before = ClassDataSharing.digest(launch, List.of());
		assertThat(ClassDataSharing.digest(launch, List.of())).isEqualTo(before);
		Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 1000));
		assertThat(ClassDataSharing.digest(launch, List.of())).isNotEqualTo(before);
		assertThat(ClassDataSharing.digest(launch, List.of("-Xss2m"))).isNotEqualTo(before);
	}

	@Test
	void anotherNumberOfWorkersKeepsTheArchive() throws IOException {
		Path jar = Files.writeString(this.directory.resolve("lib.jar"), "one");
		WorkerCommand.Launch launch = classPathLaunch(List.of(), "classes:" + jar);
		assertThat(ClassDataSharing.digest(launch, List.of("-XX:MaxRAMPercentage=37.5")))
			.isEqualTo(ClassDataSharing.digest(launch, List.of("-XX:MaxRAMPercentage=75.0")))
			.isEqualTo(ClassDataSharing.digest(launch, List.of("-Xmx1g")));
	}

	@Test
	void classPathWorkersMapTheArchiveOnceItExists() throws IOException {
		ClassDataSharing plan = ClassDataSharing.plan(classPathLaunch(List.of(), "classes"), List.of(),
				this.directory);
		assertThat(plan.archive().getParent().getFileName().toString()).matches("Application-[0-9a-f]{8}-[0-9a-f]{16}");
		assertThat(plan.command()).noneMatch((option) -> option.contains("SharedArchiveFile")
				|| option.contains("AOTCache"));
		Files.createDirectories(plan.archive().getParent());
		Files.writeString(plan.archive(), "archive");
		assertThat(plan.command()).containsSubsequence("-cp", "classes", "com.example.Application")
			.anyMatch((option) -> option.equals("-XX:SharedArchiveFile=" + plan.archive())
					|| option.equals("-XX:AOTCache=" + plan.archive()));
	}

	@Test
	void executableJarWorkersRunTheExtractedCopyOnceTheArchiveExists() throws IOException {
		Path jar = executableJar(this.directory.resolve("shop.jar"));
		WorkerCommand.Launch launch = new WorkerCommand.Launch("/jdk", List.of(), Map.of(), jar.toString(),
				jar + " --x=1", null, List.of("--x=1"));
		ClassDataSharing plan = ClassDataSharing.plan(launch, List.of(), this.directory.resolve("cds"));
		assertThat(plan.command()).containsSubsequence("-jar", jar.toString(), "--x=1");
		Files.createDirectories(plan.archive().getParent());
		Files.writeString(plan.archive(), "archive");
		assertThat(plan.archiveExists()).as("archive without the extracted jar").isFalse();
		Path extracted = Files.createDirectories(plan.archive().resolveSibling("app"));
		assertThat(plan.archiveExists()).isTrue();
		assertThat(plan.command()).containsSubsequence("-jar", extracted.resolve("shop.jar").toString(), "--x=1");
		// A new build copied over the jar while the cluster runs: its workers run it as it is
		Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 1000));
		assertThat(plan.command()).containsSubsequence("-jar", jar.toString(), "--x=1")
			.noneMatch((option) -> option.contains(plan.archive().toString()));
	}

	@Test
	void onlyAJvmThatRefusesTheArchiveHasItMadeAgain() throws IOException {
		assertThat(checkedBy("exit 1")).isTrue();
		assertThat(checkedBy("exit 0")).isFalse();
		// As when the master stops during the check: its shutdown hook ends every helper
		assertThat(checkedBy("kill -TERM $$")).isFalse();
	}

	// Whether a check by a JVM that runs the script finds the archive refused
	private boolean checkedBy(String script) throws IOException {
		Path jdk = Files.createTempDirectory(this.directory, "jdk");
		Path java = Files.createDirectories(jdk.resolve("bin")).resolve("java");
		Files.writeString(java, "#!/bin/sh\n" + script + "\n");
		assertThat(java.toFile().setExecutable(true)).isTrue();
		WorkerCommand.Launch launch = new WorkerCommand.Launch(jdk.toString(), List.of(), Map.of(), "app.jar",
				"com.example.Application", null, List.of());
		ClassDataSharing plan = ClassDataSharing.plan(launch, List.of(), this.directory.resolve("archives"));
		Files.createDirectories(plan.archive().getParent());
		return plan.archiveRefused(Duration.ofSeconds(30));
	}

	private static WorkerCommand.Launch classPathLaunch(List<String> options, String classPath) {
		return new WorkerCommand.Launch("/jdk", options, Map.of(), classPath, "com.example.Application", null,
				List.of());
	}

	private static Path executableJar(Path path) throws IOException {
		Manifest manifest = new Manifest();
		manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
		manifest.getMainAttributes().putValue("Spring-Boot-Lib", "BOOT-INF/lib/");
		try (OutputStream out = Files.newOutputStream(path); JarOutputStream jar = new JarOutputStream(out, manifest)) {
			jar.flush();
		}
		return path;
	}

}
