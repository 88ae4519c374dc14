package io.bootcluster.master;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.bootcluster.internal.ipc.DaemonThreads;
import io.bootcluster.internal.ipc.UserDirectory;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The directory that keeps class data archives, one subdirectory per application build:
 * only its user may write to it (workers run what it holds), each master marks the
 * archive it uses, and archives no master has used for a while are removed. Stateless.
 */
final class ArchiveDirectory {

	private static final Log logger = LogFactory.getLog(ArchiveDirectory.class);

	/** The most all archives and extracted jars may take together; least recently used go. */
	static final long MAX_SIZE = 1024L * 1024 * 1024;

	// How often a running master marks its archive as used
	private static final Duration MARK_INTERVAL = Duration.ofHours(1);

	// Archives used more recently than this are kept, whatever their size: their masters
	// may be running
	private static final Duration IN_USE = MARK_INTERVAL.multipliedBy(2);

	private ArchiveDirectory() {
	}

	/**
	 * Marks an archive's directory as used every hour from now on, for as long as this JVM
	 * runs.
	 * @param home the directory
	 */
	static void keepMarked(Path home) {
		Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory("cluster-archive-mark"))
			.scheduleWithFixedDelay(() -> markUsed(home), MARK_INTERVAL.toMinutes(), MARK_INTERVAL.toMinutes(),
					TimeUnit.MINUTES);
	}

	/**
	 * Removes the least recently used archives, of any application, until all of them
	 * together take no more than a size. One CI workspace per job, each with its own
	 * archive, would otherwise fill the disk. Archives used within two hours stay.
	 * @param root the directory that holds them
	 * @param maxSize the size, in bytes
	 * @param keep the archive of this master, which stays
	 */
	static void removeBeyond(Path root, long maxSize, Path keep) {
		Instant inUseSince = Instant.now().minus(IN_USE);
		try (Stream<Path> homes = Files.list(root)) {
			List<Path> byLastUse = homes.filter(Files::isDirectory)
				.sorted(Comparator.comparing(ArchiveDirectory::lastUsed))
				.toList();
			long total = byLastUse.stream().mapToLong(ArchiveDirectory::size).sum();
			for (Path home : byLastUse) {
				if (total <= maxSize) {
					return;
				}
				if (!home.equals(keep) && lastUsed(home).isBefore(inUseSince)) {
					long size = size(home);
					deleteRecursively(home);
					total -= size;
				}
			}
		}
		catch (IOException | UncheckedIOException ex) {
			// Left for the next time
		}
	}

	private static long size(Path directory) {
		try (Stream<Path> files = Files.walk(directory)) {
			return files.filter(Files::isRegularFile).mapToLong((file) -> file.toFile().length()).sum();
		}
		catch (IOException | UncheckedIOException ex) {
			return 0;
		}
	}

	/**
	 * Marks an archive's directory as used now.
	 * @param home the directory
	 */
	static void markUsed(Path home) {
		try {
			if (Files.isDirectory(home)) {
				Files.setLastModifiedTime(home, FileTime.from(Instant.now()));
			}
		}
		catch (IOException ex) {
			// Then it may be removed, and made again when next needed
		}
	}

	// Archives of earlier builds of the same application, from the same place, that no
	// master has used for a day: a master of an older build may still run from one
	static void removeUnused(Path home, Duration age) {
		String prefix = home.getFileName().toString().replaceFirst("[0-9a-f]+$", "");
		Instant unusedSince = Instant.now().minus(age);
		try (Stream<Path> siblings = Files.list(home.getParent())) {
			siblings.filter((sibling) -> !sibling.equals(home))
				.filter((sibling) -> sibling.getFileName().toString().matches(Pattern.quote(prefix) + "[0-9a-f]{16}"))
				.filter((sibling) -> lastUsed(sibling).isBefore(unusedSince))
				.forEach(ArchiveDirectory::deleteRecursively);
		}
		catch (IOException | UncheckedIOException ex) {
			// Left for the next time
		}
	}

	private static Instant lastUsed(Path archiveHome) {
		try {
			return Files.getLastModifiedTime(archiveHome).toInstant();
		}
		catch (IOException ex) {
			return Instant.now();
		}
	}

	static void deleteRecursively(Path path) {
		if (!Files.exists(path)) {
			return;
		}
		try (Stream<Path> files = Files.walk(path)) {
			files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach((file) -> file.toFile().delete());
		}
		catch (IOException | UncheckedIOException ex) {
			// Left behind, harmless
		}
	}

	// Workers run what this directory holds: no one but this user may write there
	static boolean isPrivate(Path directory) {
		try {
			if (UserDirectory.isOwnerOnly(directory)) {
				return true;
			}
			logger.warn("Workers start without a class data archive: " + directory + " belongs to "
					+ Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS).getName() + ", or others may write to it, "
					+ "and workers would run what it holds. Set cluster.worker.class-data-sharing.directory to a "
					+ "directory only this user may write to");
			return false;
		}
		catch (IOException ex) {
			logger.warn("Workers start without a class data archive: cannot use " + directory + " (" + ex + ")");
			return false;
		}
	}

}
