/**
 * Life inside a worker: the channel to the master, the report that the server listens,
 * leaving when the master asks, and exiting when the master is gone.
 */
@NullMarked
package io.bootcluster.worker;

import org.jspecify.annotations.NullMarked;
