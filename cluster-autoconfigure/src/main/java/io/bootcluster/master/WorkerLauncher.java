package io.bootcluster.master;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import io.bootcluster.internal.ipc.ChannelAddress;
import org.jspecify.annotations.Nullable;

/**
 * Starts worker processes: the worker's command line, plus the environment that tells the
 * new JVM it is worker {@code id} and where its master is, and how their output is
 * written to the master's. The first workers of a start may have been forked already, at
 * the application's start ({@link HeadStart}): a launch takes such a process over, and
 * records what the first launches were for the next start. Used by the supervisor's loop;
 * the record is read once the first launches are made.
 */
final class WorkerLauncher implements Launcher {

	private final Supplier<List<String>> command;

	private final ChannelAddress address;

	private final WorkerOutput output;

	private final @Nullable HeadStart headStart;

	// The first round of launches, recorded for the next start once the workers serve
	private final List<Launched> firstLaunches = new CopyOnWriteArrayList<>();

	private volatile boolean firstRoundOver;

	WorkerLauncher(List<String> command, ChannelAddress address, WorkerOutput output) {
		this(() -> command, address, output, null);
	}

	/**
	 * Creates a launcher whose command line may change, such as one that maps a class data
	 * archive once it exists.
	 * @param command the command line, asked for at each launch
	 * @param address the master's channel
	 * @param output how the workers' output lines are written to the master's
	 * @param headStart the workers forked at the application's start, if any
	 */
	WorkerLauncher(Supplier<List<String>> command, ChannelAddress address, WorkerOutput output,
			@Nullable HeadStart headStart) {
		this.command = command;
		this.address = address;
		this.output = output;
		this.headStart = headStart;
	}

	@Override
	public WorkerHandle launch(int id, int slot, boolean standby, @Nullable String heapOption) throws IOException {
		HeadStart.WorkerStart start = new HeadStart.WorkerStart(withHeap(command(), heapOption), id, slot, standby);
		Process process = (this.headStart != null) ? this.headStart.takeOver(start) : null;
		if (process == null) {
			process = start(start.command(), this.address, id, slot, standby);
		}
		// Workers read their secret from standard input, then nothing: the master keeps the
		// terminal
		try (OutputStream input = process.getOutputStream()) {
			input.write((this.address.secret() + "\n").getBytes(StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			process.destroyForcibly();
			throw ex;
		}
		if (!this.firstRoundOver) {
			this.firstLaunches.add(new Launched(id, slot, standby, heapOption));
		}
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

	/**
	 * Starts a worker's process, which waits for its secret on its standard input.
	 * @param command the command line
	 * @param address the master's channel
	 * @param id the worker's id
	 * @param slot its slot, or -1 for a standby
	 * @param standby whether it starts as a standby
	 * @return the process
	 * @throws IOException if it could not be started
	 */
	static Process start(List<String> command, ChannelAddress address, int id, int slot, boolean standby)
			throws IOException {
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
		address.addTo(builder.environment());
		return builder.start();
	}

	private static List<String> withHeap(List<String> command, @Nullable String heapOption) {
		List<String> all = new ArrayList<>(command);
		if (heapOption != null) {
			// Right after the executable: options the user gave come later, and win
			all.add(1, heapOption);
		}
		return all;
	}

	/**
	 * Ends the first round of launches: the workers forked at the application's start
	 * that none took over are killed.
	 */
	void firstRoundLaunched() {
		this.firstRoundOver = true;
		if (this.headStart != null) {
			this.headStart.end();
		}
	}

	/**
	 * Records the first round of launches for the next start, with the command line a
	 * worker starts with now.
	 * @param programArguments the application's arguments
	 * @param port the cluster's port
	 */
	void recordFirstLaunches(List<String> programArguments, int port) {
		List<String> command = command();
		HeadStart.record(programArguments, port, this.firstLaunches.stream()
			.map((launched) -> new HeadStart.WorkerStart(withHeap(command, launched.heapOption()), launched.id(),
					launched.slot(), launched.standby()))
			.toList());
	}

	private record Launched(int id, int slot, boolean standby, @Nullable String heapOption) {
	}

	List<String> command() {
		return List.copyOf(this.command.get());
	}

}
