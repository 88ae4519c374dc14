/**
 * The {@link io.bootcluster.ClusterMessenger} behind application messages, in the master
 * and in the workers, and the listener support that turns an {@code @EventListener}'s
 * return value into the answer to a request.
 */
@NullMarked
package io.bootcluster.messaging;

import org.jspecify.annotations.NullMarked;
