/**
 * The cluster's command line, in the application's own jar:
 * {@code java -Djarmode=cluster -jar app.jar status}, and {@code restart},
 * {@code scale <n>}, {@code stop <id>}, {@code events}. It finds the running master of
 * that jar through the user's registry of masters and asks it on its control socket.
 */
@NullMarked
package io.bootcluster.cli;

import org.jspecify.annotations.NullMarked;
