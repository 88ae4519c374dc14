/**
 * When what switches on: the run listeners that decide whether this JVM is the master, a
 * worker or neither (and keep Boot's background warming out of a master that forks
 * ahead), the properties, and the auto-configuration of a worker.
 */
@NullMarked
package io.bootcluster.autoconfigure;

import org.jspecify.annotations.NullMarked;
