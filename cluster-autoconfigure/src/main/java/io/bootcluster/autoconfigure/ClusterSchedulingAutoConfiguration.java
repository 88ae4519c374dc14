package io.bootcluster.autoconfigure;

import java.util.OptionalInt;

import io.bootcluster.ClusterLeadership;
import io.bootcluster.worker.LeaderOnlyTaskScheduler;
import io.bootcluster.worker.WorkerRuntime;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * What must run once per cluster runs once: the {@link ClusterLeadership} of a worker, or
 * of the one process outside a cluster, and, in a worker, {@code @Scheduled} methods that
 * run only where it leads ({@code cluster.scheduling.run-on=leader}, the default).
 */
@AutoConfiguration(after = ClusterWorkerAutoConfiguration.class)
public final class ClusterSchedulingAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ClusterLeadership clusterLeadership(ObjectProvider<WorkerRuntime> worker) {
		WorkerRuntime runtime = worker.getIfAvailable();
		return (runtime != null) ? runtime.leadership() : new SingleProcessLeadership();
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(WorkerRuntime.class)
	@ConditionalOnProperty(name = "cluster.scheduling.run-on", havingValue = "leader", matchIfMissing = true)
	static class LeaderSchedulingConfiguration {

		private static final String SCHEDULER_NAME = "taskScheduler";

		// Called before the scheduled methods are scheduled: they get the application's
		// scheduler, wrapped, and still run on its threads
		@Bean
		SchedulingConfigurer clusterLeaderScheduling(WorkerRuntime runtime, BeanFactory beanFactory,
				ObjectProvider<TaskScheduler> schedulers) {
			return (registrar) -> {
				TaskScheduler scheduler = registrar.getScheduler();
				if (scheduler == null) {
					scheduler = beanFactory.containsBean(SCHEDULER_NAME)
							? beanFactory.getBean(SCHEDULER_NAME, TaskScheduler.class)
							: schedulers.getIfUnique(LeaderSchedulingConfiguration::singleThreadScheduler);
				}
				registrar.setTaskScheduler(LeaderOnlyTaskScheduler.of(scheduler, runtime));
			};
		}

		// As Spring's own default when the application defines no scheduler
		private static TaskScheduler singleThreadScheduler() {
			ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
			scheduler.setThreadNamePrefix("scheduling-");
			scheduler.setDaemon(true);
			scheduler.initialize();
			return scheduler;
		}

	}

	/**
	 * Outside a cluster, the one process leads.
	 */
	static final class SingleProcessLeadership implements ClusterLeadership {

		@Override
		public boolean isLeader() {
			return true;
		}

		@Override
		public OptionalInt leader() {
			return OptionalInt.empty();
		}

	}

}
