/**
 * When what switches on: the run listener that decides whether this JVM is the master, a
 * worker or neither, the properties, and the auto-configuration of a worker.
 */
@NullMarked
package io.bootcluster.autoconfigure;

import org.jspecify.annotations.NullMarked;
