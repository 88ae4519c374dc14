package io.bootcluster.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * Helper processes are judged by their progress: real processes, one that works, one
 * that waits, one that fails.
 */
class HelperJvmTests {

	@TempDir
	Path directory;

	@Test
	void aHelperThatKeepsUsingTheCpuRunsPastTheTimeout() throws Exception {
		long started = System.nanoTime();
		HelperJvm.run(List.of("sh", "-c", "end=$(($(date +%s) + 3)); while [ $(date +%s) -lt $end ]; do :; done"),
				this.directory.resolve("busy.log"), Duration.ofSeconds(1));
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofSeconds(2));
	}

	@Test
	void aHelperThatMakesNoProgressIsKilledAsStalled() {
		long started = System.nanoTime();
		assertThatExceptionOfType(HelperJvm.Stalled.class)
			.isThrownBy(() -> HelperJvm.run(List.of("sleep", "60"), this.directory.resolve("sleep.log"),
					Duration.ofSeconds(1)))
			.withMessageContaining("'60' was killed: it made no progress for 1s");
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
	}

	@Test
	void aHelperThatFailsIsNotStalled() {
		assertThatIOException()
			.isThrownBy(() -> HelperJvm.run(List.of("sh", "-c", "echo broken; exit 3"),
					this.directory.resolve("failing.log"), Duration.ofSeconds(5)))
			.isNotInstanceOf(HelperJvm.Stalled.class)
			.withMessageContaining("exited with 3, ending with: broken");
	}

	@Test
	void aHelperEndedFromOutsideHasNotFailed() {
		// As the master's shutdown hook ends it when the master stops during a training run
		assertThatExceptionOfType(HelperJvm.Ended.class)
			.isThrownBy(() -> HelperJvm.run(List.of("sh", "-c", "kill -TERM $$"), this.directory.resolve("ended.log"),
					Duration.ofSeconds(5)))
			.withMessageContaining("was ended by signal 15");
		// A crash is a failure
		assertThatIOException()
			.isThrownBy(() -> HelperJvm.run(List.of("sh", "-c", "kill -SEGV $$"), this.directory.resolve("crash.log"),
					Duration.ofSeconds(5)))
			.isNotInstanceOf(HelperJvm.Ended.class)
			.withMessageContaining("exited with 139");
	}

	@Test
	void archivesBeyondTheSizeGoLeastRecentlyUsedFirstButNotThoseInUse() throws IOException {
		Path root = Files.createDirectory(this.directory.resolve("archives"));
		Path oldest = archive(root, "a", 400, Duration.ofDays(3));
		Path older = archive(root, "b", 400, Duration.ofDays(2));
		Path inUse = archive(root, "c", 400, Duration.ofMinutes(30));
		Path own = archive(root, "d", 400, Duration.ofDays(5));
		ArchiveDirectory.removeBeyond(root, 1000, own);
		assertThat(oldest).doesNotExist();
		assertThat(older).doesNotExist();
		assertThat(inUse).exists();
		assertThat(own).exists();
	}

	private static Path archive(Path root, String name, int size, Duration unusedFor) throws IOException {
		Path home = Files.createDirectory(root.resolve(name));
		Files.write(home.resolve("app.jsa"), new byte[size]);
		Files.setLastModifiedTime(home, FileTime.from(Instant.now().minus(unusedFor)));
		return home;
	}

	@Test
	void spareCoreWaitsUntilACoreWentUnused() throws InterruptedException {
		double[] loads = { 0.0, 0.95, 0.8, 0.6, 0.4 };
		int[] looks = { 0 };
		SpareCore spareCore = new SpareCore(() -> loads[looks[0]++], 2, Duration.ofMillis(1));
		spareCore.await("A test");
		assertThat(looks[0]).isEqualTo(5);
	}

	@Test
	void spareCoreDoesNotWaitWhereTheLoadCannotBeRead() throws InterruptedException {
		int[] looks = { 0 };
		new SpareCore(() -> {
			looks[0]++;
			return -1;
		}, 2, Duration.ofMillis(1)).await("A test");
		assertThat(looks[0]).isEqualTo(2);
	}

}
