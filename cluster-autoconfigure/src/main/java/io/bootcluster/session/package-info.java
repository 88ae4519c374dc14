/**
 * HTTP sessions shared by every worker, kept by the master: Spring Session repositories
 * (servlet and reactive) whose sessions live in the master's memory, their attributes
 * serialized in the worker that sets them.
 */
@NullMarked
package io.bootcluster.session;

import org.jspecify.annotations.NullMarked;
