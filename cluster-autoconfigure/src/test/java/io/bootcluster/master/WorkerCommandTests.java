package io.bootcluster.master;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerCommandTests {

	private static final List<String> ARGS = List.of("--name=a b", "--quote=\"x\"");

	@Test
	void executableJarIsLaunchedWithItsAbsolutePath() {
		WorkerCommand.Launch launch = new WorkerCommand.Launch("/jdk", List.of("-Xmx256m", "-Dfoo=a b"), Map.of(),
				"target/app.jar", "target/app.jar --name=a b", null, ARGS);
		List<String> command = WorkerCommand.build(launch, List.of("-Xmx128m"));
		assertThat(command).first().isEqualTo("/jdk/bin/java");
		assertThat(command).containsSubsequence("-Xmx256m", "-Dfoo=a b", "-Xmx128m", "-jar");
		assertThat(command.get(command.indexOf("-jar") + 1)).startsWith("/").endsWith("/target/app.jar");
		assertThat(command.subList(command.size() - 2, command.size())).isEqualTo(ARGS);
	}

	@Test
	void classPathLaunchKeepsTheClassPathAndMainClass() {
		WorkerCommand.Launch launch = new WorkerCommand.Launch("/jdk", List.of(), Map.of(),
				"classes:lib/a.jar:lib/b.jar", "com.example.App --name=a b", null, ARGS);
		assertThat(WorkerCommand.build(launch, List.of())).containsSubsequence("-cp", "classes:lib/a.jar:lib/b.jar",
				"com.example.App", "--name=a b", "--quote=\"x\"");
	}

	@Test
	void jarLauncherOnTheClassPathIsLaunchedAsAMainClass() {
		WorkerCommand.Launch launch = new WorkerCommand.Launch("/jdk", List.of(), Map.of(), "app.jar",
				"org.springframework.boot.loader.launch.JarLauncher", null, List.of());
		assertThat(WorkerCommand.build(launch, List.of())).endsWith("-cp", "app.jar",
				"org.springframework.boot.loader.launch.JarLauncher");
	}

	@Test
	void modulePathLaunchIsRebuiltOnce() {
		WorkerCommand.Launch launch = new WorkerCommand.Launch("/jdk",
				List.of("--module-path=mods", "-Djdk.module.main=app", "-Xss1m"), Map.of(), "", "app/com.example.App",
				"mods", List.of());
		List<String> command = WorkerCommand.build(launch, List.of());
		assertThat(command).endsWith("--module-path", "mods", "-m", "app/com.example.App");
		assertThat(command).contains("-Xss1m").doesNotContain("--module-path=mods", "-Djdk.module.main=app");
	}

	@Test
	void optionsFromTheEnvironmentAreNotRepeated() {
		WorkerCommand.Launch launch = new WorkerCommand.Launch("/jdk",
				List.of("-Dtool=1", "-Dquoted=a b", "-Djdk=1", "-Dtool=1", "-Xmx64m"),
				Map.of("JAVA_TOOL_OPTIONS", "-Dtool=1 \"-Dquoted=a b\"", "JDK_JAVA_OPTIONS", "-Djdk=1"), "app.jar",
				"app.jar", null, List.of());
		List<String> command = WorkerCommand.build(launch, List.of());
		// Given twice, once by the variable and once on the command line: one stays
		assertThat(command).containsOnlyOnce("-Dtool=1").doesNotContain("-Dquoted=a b", "-Djdk=1").contains("-Xmx64m");
	}

	@Test
	void debuggerAndJmxPortOptionsAreLeftOut() {
		WorkerCommand.Launch launch = new WorkerCommand.Launch("/jdk",
				List.of("-agentlib:jdwp=transport=dt_socket,server=y,address=5005", "-Xdebug",
						"-Dcom.sun.management.jmxremote.port=9010", "-Dcom.sun.management.jmxremote.rmi.port=9011",
						"-Dcom.sun.management.jmxremote.authenticate=false"),
				Map.of(), "app.jar", "app.jar", null, List.of());
		assertThat(WorkerCommand.build(launch, List.of())).containsExactly("/jdk/bin/java",
				"-Dcom.sun.management.jmxremote.authenticate=false", "-XX:+ExitOnOutOfMemoryError",
				"-Dspring.devtools.restart.enabled=false", "-jar",
				java.nio.file.Path.of("app.jar").toAbsolutePath().toString());
	}

	@Test
	void outOfMemoryEndsAWorkerUnlessTheUserChoseOtherwise() {
		WorkerCommand.Launch launch = new WorkerCommand.Launch("/jdk", List.of(), Map.of(), "app.jar", "app.jar", null,
				List.of());
		assertThat(WorkerCommand.build(launch, List.of())).contains("-XX:+ExitOnOutOfMemoryError");
		assertThat(WorkerCommand.build(launch, List.of("-XX:OnOutOfMemoryError=kill -9 %p")))
			.doesNotContain("-XX:+ExitOnOutOfMemoryError");
	}

	@Test
	void heapGoesInHugePagesWhereTheKernelGivesThemOnRequestUnlessTheUserChose() {
		assertThat(WorkerCommand.hugePages(List.of("-Xmx256m"), "madvise"))
			.containsExactly("-XX:+UseTransparentHugePages");
		assertThat(WorkerCommand.hugePages(List.of(), "always")).isEmpty();
		assertThat(WorkerCommand.hugePages(List.of(), "never")).isEmpty();
		assertThat(WorkerCommand.hugePages(List.of(), null)).isEmpty();
		assertThat(WorkerCommand.hugePages(List.of("-XX:-UseTransparentHugePages"), "madvise")).isEmpty();
		assertThat(WorkerCommand.hugePages(List.of("-XX:+UseLargePages"), "madvise")).isEmpty();
	}

	@Test
	void tokenizeKeepsQuotedRunsTogether() {
		assertThat(WorkerCommand.tokenize("  -Da=1 \"-Db=x y\" '-Dc=z'  ")).containsExactly("-Da=1", "-Db=x y",
				"-Dc=z");
	}

}
