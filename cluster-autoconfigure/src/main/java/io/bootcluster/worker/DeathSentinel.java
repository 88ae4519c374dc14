package io.bootcluster.worker;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.bootcluster.internal.ipc.DaemonThreads;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;

/**
 * A small process that dies the moment this worker's JVM is killed, and whose end the
 * master reads on a FIFO (see the master's {@code DeathSentinels}): a JVM killed with
 * SIGKILL closes its own descriptors only after the kernel has freed its memory, tens of
 * milliseconds later. The sentinel is started by a thread of its own that lives as long as
 * the JVM, with the kernel's parent-death signal ({@code setpriv --pdeathsig KILL}, from
 * util-linux), which is sent when that thread ends, before the JVM's memory is freed.
 * <p>
 * The JDK opens the FIFO for the sentinel and closes it in this JVM once the sentinel
 * runs, so the sentinel holds the only end that writes. The sentinel ignores the signals
 * a terminal or a service manager sends the whole group on a stop, which would otherwise
 * end it before its worker. Where {@code setpriv} is missing, the master's request fails,
 * and the master learns of the worker's death from its channel, as it always can.
 * <p>
 * Thread-safe: each request starts one sentinel, on a thread of its own.
 */
final class DeathSentinel {

	private static final Log logger = LogFactory.getLog(DeathSentinel.class);

	// How long the request's thread waits for the sentinel to run
	private static final Duration START_TIMEOUT = Duration.ofSeconds(5);

	private DeathSentinel() {
	}

	/**
	 * Starts a sentinel that writes to the master's FIFO, and returns once it runs.
	 * @param request the master's request: {@code {"fifo": path}}
	 * @return nothing
	 * @throws IllegalStateException if the sentinel could not be started
	 */
	static JsonNode start(JsonNode request) {
		Path fifo = Path.of(request.required("fifo").asString());
		if (!isFifo(fifo)) {
			// Given up by the master: a plain file would be written to by nobody's sentinel
			throw new IllegalStateException("No FIFO at " + fifo);
		}
		CompletableFuture<Process> started = new CompletableFuture<>();
		DaemonThreads.start("cluster-death-sentinel", () -> watch(fifo.toFile(), started));
		try {
			started.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			return NullNode.getInstance();
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException("Could not start a death sentinel: " + ex.getCause().getMessage(), ex);
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException("The death sentinel did not start within " + START_TIMEOUT.toSeconds()
					+ " s", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while the death sentinel started", ex);
		}
	}

	private static boolean isFifo(Path path) {
		try {
			return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
		}
		catch (IOException ex) {
			return false;
		}
	}

	// Runs on the thread whose end kills the sentinel: it starts it, then waits for good
	private static void watch(File fifo, CompletableFuture<Process> started) {
		Process sentinel;
		try {
			sentinel = new ProcessBuilder(command()).redirectErrorStream(true).redirectOutput(fifo).start();
			started.complete(sentinel);
		}
		catch (IOException | RuntimeException ex) {
			started.completeExceptionally(ex);
			return;
		}
		try {
			int code = sentinel.waitFor();
			logger.warn("The death sentinel ended (" + code + ") while this worker runs: the master learns of its "
					+ "death from its channel");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	// Signals ignored stay ignored across exec
	static List<String> command() {
		return List.of("setpriv", "--pdeathsig", "KILL", "--", "sh", "-c", "trap '' HUP INT TERM; exec sleep infinity");
	}

}
