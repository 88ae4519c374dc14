package io.bootcluster;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks configuration that runs in the master only. The master starts a small application
 * context of its own from the classes listed in
 * {@code META-INF/spring/io.bootcluster.ClusterMasterConfiguration.imports}, one per line:
 * their beans, including {@code @EventListener} methods for {@link ClusterWorkerEvent}s,
 * live in the master and are never created in a worker.
 * <p>
 * The annotation does not make a class a component: component scanning in the workers
 * passes it by.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ClusterMasterConfiguration {

}
