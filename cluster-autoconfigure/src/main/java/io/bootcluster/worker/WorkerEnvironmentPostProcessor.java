package io.bootcluster.worker;

import java.util.HashMap;
import java.util.Map;

import io.bootcluster.internal.ipc.ChannelAddress;
import io.bootcluster.internal.ipc.WorkerIdentity;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Gives the environment a worker's identity, and only a worker's. A process that a worker
 * started inherits its environment, {@code CLUSTER_WORKER_ID} included, which Spring would
 * read as {@code cluster.worker.id}: in such a process the cluster's variables are taken
 * out of the environment's view, so that it neither passes for a worker nor acts as one.
 * <p>
 * In a worker, names the worker in each of its structured log lines: adds its id as the
 * {@code cluster.worker} member ({@code logging.structured.json.add}), which Boot's
 * formats write in their own way (nested for ECS; {@code _cluster.worker} for GELF). The
 * master then passes these lines through unchanged, and each is still one JSON object.
 * Runs before logging is set up, and only in a worker; after the application's own
 * configuration is loaded, and below it, so that a member of the same name that the
 * application adds itself wins.
 * <p>
 * A worker also ends Reactor Netty's resources without a quiet period, unless the
 * application sets one ({@code spring.reactor.netty.shutdown-quiet-period}).
 */
public final class WorkerEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	static final String PROPERTY_SOURCE = "clusterWorker";

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		WorkerIdentity worker = WorkerIdentity.current();
		if (worker == null && System.getenv(ChannelAddress.WORKER_ID_ENV) != null) {
			hideInheritedWorkerEnvironment(environment);
		}
		if (worker != null) {
			addWorkerDefaults(environment, worker);
		}
	}

	/**
	 * Adds what every worker sets, below the application's own configuration.
	 * @param environment the worker's environment
	 * @param worker the worker
	 */
	static void addWorkerDefaults(ConfigurableEnvironment environment, WorkerIdentity worker) {
		String id = Integer.toString(worker.id());
		// GELF wants its additional fields prefixed, which not every Boot 4 release does
		// for added members
		String member = "gelf".equalsIgnoreCase(environment.getProperty("logging.structured.format.console", ""))
				? "_cluster.worker" : "cluster.worker";
		Map<String, Object> members = new HashMap<>();
		members.put("logging.structured.json.add." + member, id);
		if (worker.slot() >= 0) {
			members.put("logging.structured.json.add." + member.replace("worker", "slot"),
					Integer.toString(worker.slot()));
		}
		// A leaving worker closes its application once its connections are done: Reactor
		// Netty's quiet period (2 s) would only hold up its exit, and a rolling restart
		members.put("spring.reactor.netty.shutdown-quiet-period", "0s");
		environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE, members));
	}

	private static void hideInheritedWorkerEnvironment(ConfigurableEnvironment environment) {
		String name = StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME;
		if (environment.getPropertySources().get(name) instanceof SystemEnvironmentPropertySource source) {
			Map<String, Object> variables = new HashMap<>(source.getSource());
			ChannelAddress.removeFrom(variables);
			environment.getPropertySources().replace(name, new SystemEnvironmentPropertySource(name, variables));
		}
	}

}
