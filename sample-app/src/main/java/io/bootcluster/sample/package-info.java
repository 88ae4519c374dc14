/**
 * A sample application run as a cluster.
 */
@NullMarked
package io.bootcluster.sample;

import org.jspecify.annotations.NullMarked;
