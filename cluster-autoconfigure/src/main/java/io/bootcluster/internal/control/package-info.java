/**
 * Operators' tools. How an operator's command line finds the running masters of its user
 * and asks them: the registry of running masters, and the control socket's protocol (one
 * JSON request, one JSON answer); both live in directories only their user may enter. The
 * live cluster page, served by the master and by every worker, and the broadcast of
 * statuses that feeds it.
 * <p>
 * Internal: shared by the starter's packages only; it may change in any release.
 */
@NullMarked
package io.bootcluster.internal.control;

import org.jspecify.annotations.NullMarked;
