/**
 * Seeing and steering the cluster from any worker: the {@code cluster} actuator endpoint,
 * health contributor, and metrics that cover every worker whichever one is scraped.
 */
@NullMarked
package io.bootcluster.actuate;

import org.jspecify.annotations.NullMarked;
