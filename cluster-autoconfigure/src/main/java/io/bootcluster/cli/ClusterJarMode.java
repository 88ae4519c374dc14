package io.bootcluster.cli;

import org.springframework.boot.loader.jarmode.JarMode;

/**
 * Spring Boot's jar mode {@code cluster}: {@code java -Djarmode=cluster -jar app.jar
 * <command>} runs the cluster's command line instead of the application.
 */
public final class ClusterJarMode implements JarMode {

	@Override
	public boolean accepts(String mode) {
		return "cluster".equals(mode);
	}

	@Override
	public void run(String mode, String[] args) {
		int code = new ClusterCommandLine(System.out, ClusterCommandLine.Masters.RUNNING).run(args);
		// Boot's runner ends the JVM with 0 once a jar mode returns
		if (code != 0) {
			System.out.flush();
			System.exit(code);
		}
	}

}
