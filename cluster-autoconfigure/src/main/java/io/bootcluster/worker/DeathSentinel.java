package io.bootcluster.worker;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

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
 * runs, so the sentinel holds the only end that writes. Where {@code setpriv} is missing,
 * the start fails, the master reads the end of the FIFO at once, and learns of the
 * worker's death from its channel, as it always can.
 * <p>
 * Thread-safe: each request starts one sentinel, on a thread of its own.
 */
final class DeathSentinel {

	private static final Log logger = LogFactory.getLog(DeathSentinel.class);

	private DeathSentinel() {
	}

	/**
	 * Starts a sentinel that writes to the master's FIFO, and returns once it runs.
	 * @param request the master's request: {@code {"fifo": path}}
	 * @return nothing
	 * @throws IllegalStateException if the sentinel could not be started
	 */
	static JsonNode start(JsonNode request) {
		File fifo = new File(request.required("fifo").asString());
		CompletableFuture<Process> started = new CompletableFuture<>();
		DaemonThreads.start("cluster-death-sentinel", () -> watch(fifo, started));
		try {
			started.join();
			return NullNode.getInstance();
		}
		catch (CompletionException ex) {
			throw new IllegalStateException("Could not start a death sentinel: " + ex.getCause().getMessage(), ex);
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

	static List<String> command() {
		return List.of("setpriv", "--pdeathsig", "KILL", "--", "sleep", "infinity");
	}

}
