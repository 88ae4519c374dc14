/**
 * How an operator's command line finds the running masters of its user and asks them:
 * the registry of running masters, and the control socket's protocol (one JSON request,
 * one JSON answer). Both live in directories only their user may enter.
 * <p>
 * Internal: shared by the master and the command line only; it may change in any release.
 */
@NullMarked
package io.bootcluster.internal.control;

import org.jspecify.annotations.NullMarked;
