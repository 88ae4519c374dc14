/**
 * Port sharing inside a worker: each supported web server binds the shared port with
 * {@code SO_REUSEPORT}, and the worker reports what it really bound.
 */
@NullMarked
package io.bootcluster.server;

import org.jspecify.annotations.NullMarked;
