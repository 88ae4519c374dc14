/**
 * The private channel between the master and its workers: a Unix domain socket carrying
 * length-prefixed JSON frames, opened by a handshake that presents the cluster's secret.
 */
@NullMarked
package io.bootcluster.ipc;

import org.jspecify.annotations.NullMarked;
