package io.bootcluster.internal.ipc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/**
 * The directory where this user's masters keep what outlives one of them: class data
 * archives, the plans of the next start, the registry of running masters. Workers run
 * what it holds and the command line trusts what it finds there, so only its user may
 * write to it. Stateless.
 */
public final class UserDirectory {

	private UserDirectory() {
	}

	/**
	 * {@code boot-cluster-<user>} in the temporary directory.
	 * @return the directory, which may not exist yet
	 */
	public static Path root() {
		return Path.of(System.getProperty("java.io.tmpdir"), "boot-cluster-" + System.getProperty("user.name"));
	}

	/**
	 * Whether a directory, created if missing, belongs to this user and nobody else may
	 * write to it. Without POSIX permissions, as on Windows, there is nothing to check.
	 * @param directory the directory
	 * @return whether only this user may write to it
	 * @throws IOException if it cannot be created or read
	 */
	public static boolean isOwnerOnly(Path directory) throws IOException {
		try {
			if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
				Files.createDirectories(directory,
						PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
			}
			Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(directory, LinkOption.NOFOLLOW_LINKS);
			UserPrincipal owner = Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS);
			return owner.equals(ownerOfNewFiles(directory)) && !permissions.contains(PosixFilePermission.GROUP_WRITE)
					&& !permissions.contains(PosixFilePermission.OTHERS_WRITE);
		}
		catch (UnsupportedOperationException ex) {
			return true;
		}
	}

	// Who this process is, as the file system sees it (a user name may not say so)
	private static UserPrincipal ownerOfNewFiles(Path directory) throws IOException {
		Path probe = Files.createTempFile(directory, "owner", ".probe");
		try {
			return Files.getOwner(probe);
		}
		finally {
			Files.deleteIfExists(probe);
		}
	}

}
