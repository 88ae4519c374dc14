package io.bootcluster.master;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.bootcluster.internal.ipc.ChannelAddress;
import org.jspecify.annotations.Nullable;

/**
 * Starts worker processes: the worker's command line, plus the environment that tells the
 * new JVM it is worker {@code id} and where its master is, and how their output is
 * written to the master's.
 */
final class WorkerLauncher implements Launcher {

	private final Supplier<List<String>> command;

	private final ChannelAddress address;

	private final WorkerOutput output;

	WorkerLauncher(List<String> command, ChannelAddress address, WorkerOutput output) {
		this(() -> command, address, output);
	}

	/**
	 * Creates a launcher whose command line may change, such as one that maps a class data
	 * archive once it exists.
	 * @param command the command line, asked for at each launch
	 * @param address the master's channel
	 * @param output how the workers' output lines are written to the master's
	 */
	WorkerLauncher(Supplier<List<String>> command, ChannelAddress address, WorkerOutput output) {
		this.command = command;
		this.address = address;
		this.output = output;
	}

	@Override
	public WorkerHandle launch(int id, int slot, boolean standby, @Nullable String heapOption) throws IOException {
		Process process = start(id, slot, standby, heapOption);
		try {
			return new ProcessWorkerHandle(id, process, this.output);
		}
		catch (RuntimeException | Error ex) {
			// No thread for its output (a container's pids limit, say): a worker whose
			// output nobody reads would block, so it does not run
			process.destroyForcibly();
			throw new IOException("could not start the threads that copy its output: " + ex, ex);
		}
	}

	private Process start(int id, int slot, boolean standby, @Nullable String heapOption) throws IOException {
		List<String> command = new ArrayList<>(command());
		if (heapOption != null) {
			// Right after the executable: options the user gave come later, and win
			command.add(1, heapOption);
		}
		ProcessBuilder builder = new ProcessBuilder(command);
		// A master started by a worker of another cluster has that worker's environment
		ChannelAddress.removeFrom(builder.environment());
		builder.environment().put(ChannelAddress.WORKER_ID_ENV, Integer.toString(id));
		if (slot >= 0) {
			builder.environment().put(ChannelAddress.WORKER_SLOT_ENV, Integer.toString(slot));
		}
		if (standby) {
			builder.environment().put(ChannelAddress.STANDBY_ENV, "true");
		}
		this.address.addTo(builder.environment());
		Process process = builder.start();
		// Workers read their secret from standard input, then nothing: the master keeps the
		// terminal
		try (OutputStream input = process.getOutputStream()) {
			input.write((this.address.secret() + "\n").getBytes(StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			process.destroyForcibly();
			throw ex;
		}
		return process;
	}

	List<String> command() {
		return List.copyOf(this.command.get());
	}

}
