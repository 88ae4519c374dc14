/**
 * What application code may use: the events the master publishes about its workers, the
 * view of the cluster, and the way to give the master listeners of its own.
 */
@NullMarked
package io.bootcluster;

import org.jspecify.annotations.NullMarked;
