/**
 * When what switches on: the run listeners that fork a master's first workers ahead and
 * decide whether this JVM is the master, a worker or neither, the properties, and the
 * auto-configuration of a worker.
 */
@NullMarked
package io.bootcluster.autoconfigure;

import org.jspecify.annotations.NullMarked;
