/**
 * The private channel between the master and its workers: a Unix domain socket carrying
 * length-prefixed JSON frames, opened by a handshake that presents the cluster's secret.
 * <p>
 * Internal: the wire protocol is the starter's own, shared by its master and worker
 * packages only. It is not an API, and it may change in any release; applications talk
 * to the cluster through {@code io.bootcluster} ({@code Cluster},
 * {@code ClusterMessenger}, the events).
 */
@NullMarked
package io.bootcluster.internal.ipc;

import org.jspecify.annotations.NullMarked;
