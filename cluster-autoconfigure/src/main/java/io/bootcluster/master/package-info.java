/**
 * The master: forks the workers, watches them over the channel and through their
 * processes, replaces the ones that die, and takes them all down when it stops.
 */
@NullMarked
package io.bootcluster.master;

import org.jspecify.annotations.NullMarked;
