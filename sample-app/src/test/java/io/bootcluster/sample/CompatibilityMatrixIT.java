package io.bootcluster.sample;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.bootcluster.Cluster;
import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Processes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The starter, compiled against the oldest Spring Boot it supports, run on later Boot 4
 * releases and on a newer Java. A starter runs on whichever Boot its user's build picks,
 * without being compiled again, so a method or class that a later release changed would
 * only show up there, as a linkage error in a running application.
 * <p>
 * Each case puts a release's jars on the class path, after the sample's and the starter's
 * classes as this build made them, starts the sample as a cluster of two workers with a
 * class path and a main class, and checks what a user counts on.
 */
class CompatibilityMatrixIT {

	private static final String MAIN_CLASS = "io.bootcluster.sample.SampleApplication";

	private static final Path SAMPLE_CLASSES = Path.of("target", "classes");

	private static final int THIS_JAVA = Runtime.version().feature();

	// Boot 4.1.2 imports the BOM of Netty 4.2.19.Final, which Maven Central has not always
	// served. The sample does not run on Netty, so the stand-in changes none of its jars
	private static final Map<String, String> NETTY_4_2_18 = Map.of("netty.version", "4.2.18.Final");

	// The newest release on Jetty too: port sharing reaches into each server's internals
	private static final Map<String, String> JETTY_ON_4_1_2 = Map.of("netty.version", "4.2.18.Final", "server",
			"jetty");

	static Stream<Case> releases() {
		return Stream.of(new Case("4.0.3", THIS_JAVA, Map.of()), new Case("4.1.2", THIS_JAVA, NETTY_4_2_18),
				new Case("4.1.2", THIS_JAVA, JETTY_ON_4_1_2), new Case("4.1.2", 25, NETTY_4_2_18));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("releases")
	void sampleRunsAsAClusterOn(Case release) throws IOException {
		Path javaHome = release.javaHome();
		String bootJars = BootClassPath.resolve(release.bootVersion(), release.mavenProperties());
		assertThat(bootJars.split(File.pathSeparator))
			.anyMatch((jar) -> jar.endsWith(File.separator + "spring-boot-" + release.bootVersion() + ".jar"));
		String classPath = String.join(File.pathSeparator, SAMPLE_CLASSES.toAbsolutePath().toString(),
				starterClasses().toString(), bootJars);
		int port = Processes.freePort();
		int masterPort = Processes.freePort();
		try (ClusterProcess master = ClusterProcess.startJava(javaHome, "-cp", classPath, MAIN_CLASS,
				"--server.port=" + port, "--cluster.workers=2", "--cluster.master.management-port=" + masterPort,
				// Boot says which release it is, from its own classes, at debug level
				"--logging.level." + MAIN_CLASS + "=debug")) {
			SampleClusterChecks cluster = new SampleClusterChecks(master, port, masterPort);
			cluster.awaitTwoWorkers();
			assertBothWorkersSay(master, "Starting SampleApplication using Java ", release.javaRelease() + "[. ]");
			assertBothWorkersSay(master, "Running with Spring Boot v", Pattern.quote(release.bootVersion()) + ",");
			assertThat(master.linesMatching("^\\[worker [12]\\] .*" + release.server() + " started on port"))
				.hasSize(2);
			// The master loads no native library: on Java 22 and later the JVM would warn on
			// its own standard error, outside any log format
			assertThat(master.linesMatching("^WARNING: ")).as("the master's own JVM warnings").isEmpty();
			// The workers load it with leave, given on their command line
			assertThat(master.linesMatching("WARNING: A restricted method")).as("native access warnings").isEmpty();
			cluster.clusterEndpointDescribesBothWorkers();
			cluster.metricsCoverBothWorkers();
			cluster.workersExchangeMessages();
			cluster.sessionCountsOnEveryWorker();
			cluster.stopsCleanlyOnSigterm();
		}
	}

	private static void assertBothWorkersSay(ClusterProcess master, String start, String rest) {
		assertThat(master.linesMatching("^\\[worker [12]\\] .*" + start)).hasSize(2)
			.allSatisfy((line) -> assertThat(line).containsPattern(start + rest));
	}

	// The jar this build just packaged, or its classes directory when run from an IDE
	private static Path starterClasses() {
		try {
			return Path.of(Cluster.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * A Spring Boot release on a Java release.
	 *
	 * @param bootVersion the Spring Boot release
	 * @param javaRelease the Java feature release
	 * @param mavenProperties properties for resolving the release's jars
	 */
	record Case(String bootVersion, int javaRelease, Map<String, String> mavenProperties) {

		/**
		 * The Java installation to run on: the one running the tests, or another one found
		 * on this machine. Without one, the case cannot run, and says how to provide one.
		 * @return its home
		 */
		Path javaHome() {
			if (this.javaRelease == THIS_JAVA) {
				return Path.of(System.getProperty("java.home"));
			}
			Path home = JavaInstallations.find(this.javaRelease).orElse(null);
			assumeTrue(home != null,
					() -> "No Java " + this.javaRelease + " installation found to run Spring Boot " + this.bootVersion
							+ " on: set " + JavaInstallations.variable(this.javaRelease) + " to a JDK "
							+ this.javaRelease + ", or install one under /usr/lib/jvm");
			return home;
		}

		/**
		 * The web server the sample runs on, as it names itself in the log.
		 * @return {@code Tomcat} or {@code Jetty}
		 */
		String server() {
			return "jetty".equals(this.mavenProperties.get("server")) ? "Jetty" : "Tomcat";
		}

		@Override
		public String toString() {
			return "Spring Boot " + this.bootVersion + " with " + server() + " on Java " + this.javaRelease;
		}

	}

}
