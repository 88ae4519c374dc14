package io.bootcluster.autoconfigure;

import io.bootcluster.worker.WorkerRuntime;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.context.annotation.Import;

/**
 * With {@code management.server.port} set, the actuator runs its own web server in a
 * child context; every worker starts one, so that port is shared like the application's.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
@ConditionalOnBean(WorkerRuntime.class)
@Import({ PortSharingConfigurations.TomcatConfiguration.class, PortSharingConfigurations.JettyConfiguration.class,
		PortSharingConfigurations.NettyConfiguration.class })
public final class ClusterManagementContextConfiguration {

}
