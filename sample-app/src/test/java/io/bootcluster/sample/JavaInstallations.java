package io.bootcluster.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

/**
 * Finds a Java installation of another release than the one the tests run on, so the
 * sample can be run on it: the one an environment variable such as {@code JAVA25_HOME}
 * names, or else one that the system's packages installed under {@code /usr/lib/jvm},
 * known by the {@code JAVA_VERSION} in its {@code release} file.
 */
final class JavaInstallations {

	private static final Path SYSTEM_JVMS = Path.of("/usr/lib/jvm");

	private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");

	private JavaInstallations() {
	}

	/**
	 * The environment variable that names an installation of a release.
	 * @param release the feature release, such as 25
	 * @return the variable's name
	 */
	static String variable(int release) {
		return "JAVA" + release + "_HOME";
	}

	/**
	 * Finds an installation of a release. One that the environment variable names but
	 * that is not of that release fails: it was asked for, and is wrong.
	 * @param release the feature release, such as 25
	 * @return the installation's home, if there is one
	 */
	static Optional<Path> find(int release) {
		String named = System.getenv(variable(release));
		if (named != null && !named.isBlank()) {
			Path home = Path.of(named);
			if (!Integer.valueOf(release).equals(releaseOf(home))) {
				throw new AssertionError(variable(release) + "=" + named + " is not a Java " + release
						+ " installation: its release file says Java " + releaseOf(home));
			}
			return Optional.of(home);
		}
		if (!Files.isDirectory(SYSTEM_JVMS)) {
			return Optional.empty();
		}
		try (Stream<Path> homes = Files.list(SYSTEM_JVMS)) {
			return homes.sorted()
				.filter((home) -> Integer.valueOf(release).equals(releaseOf(home)))
				.filter((home) -> Files.isExecutable(home.resolve("bin").resolve("java")))
				.findFirst();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static @Nullable Integer releaseOf(Path home) {
		Path release = home.resolve("release");
		if (!Files.isRegularFile(release)) {
			return null;
		}
		try {
			Matcher matcher = JAVA_VERSION.matcher(Files.readString(release));
			return matcher.find() ? Integer.valueOf(matcher.group(1)) : null;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
