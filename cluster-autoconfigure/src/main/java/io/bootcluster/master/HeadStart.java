package io.bootcluster.master;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.bootcluster.internal.ipc.ChannelAddress;
import io.bootcluster.internal.ipc.UserDirectory;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The first workers of a start, forked as the application starts from the plan
 * that the last start of the same launch left, while Spring Boot prepares the environment
 * and the master plans: a second or more of a start that takes a few. When the master
 * launches its first workers, a launch that is exactly one of these (command line, id,
 * slot) takes that process over, and the others are killed: a plan that changed (the
 * configuration, a new class data archive) costs a moment of CPU, never a wrong worker. A
 * worker forked ahead waits for its channel's secret, written only when it is taken over,
 * so none joins a master that did not plan it, and one whose master dies first exits at
 * the end of its input.
 * <p>
 * Plans live in this user's private directory (the class data archives' by default), one
 * file per launch: the JDK, the jars as they are, the working directory and the arguments;
 * one not used for a month is removed. A plan is a command line this user's
 * master runs, so a directory others may write to is never read.
 * <p>
 * Thread-safe: forked on the main thread, taken over on the supervisor's loop, and killed
 * from there or from a shutdown hook, all under the instance's lock.
 */
public final class HeadStart {

	private static final Log logger = LogFactory.getLog(HeadStart.class);

	private static final int FORMAT = 1;

	private static final String PLAN_PREFIX = "start-plan-";

	// Where the class data archives are by default: a plan is read before the configuration
	private static final Path DIRECTORY = UserDirectory.root();

	// A plan not used for this long is removed
	private static final Duration UNUSED = Duration.ofDays(30);

	private final Path plan;

	private final ChannelAddress address;

	private final long forkedAt = System.nanoTime();

	private final List<Forked> forked = new ArrayList<>();

	private final Thread killer = new Thread(this::end, "cluster-head-start-end");

	private HeadStart(Path plan, ChannelAddress address) {
		this.plan = plan;
		this.address = address;
	}

	/**
	 * Forks the workers the last start of this launch forked first, if it left a plan and
	 * its port is free.
	 * @param programArguments the application's arguments
	 * @return the workers forked ahead, or {@code null} when there are none
	 */
	public static @Nullable HeadStart begin(List<String> programArguments) {
		return begin(DIRECTORY, programArguments);
	}

	/**
	 * Whether the last start of this launch left a plan, whose workers {@link #begin} forks
	 * unless its port is taken.
	 * @param programArguments the application's arguments
	 * @return whether there is a plan for this launch
	 */
	public static boolean planned(List<String> programArguments) {
		return planned(DIRECTORY, programArguments);
	}

	static boolean planned(Path directory, List<String> programArguments) {
		return existingPlan(directory, programArguments) != null;
	}

	static @Nullable HeadStart begin(Path directory, List<String> programArguments) {
		Path file = existingPlan(directory, programArguments);
		if (file == null) {
			return null;
		}
		Plan plan;
		try {
			plan = Plan.read(file);
		}
		catch (IOException | RuntimeException ex) {
			// Damaged, or written by an older release: the next master records another
			deleteQuietly(file);
			return null;
		}
		HeadStart headStart = null;
		try {
			Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
			if (!SharedPort.isFree(plan.port())) {
				return null;
			}
			headStart = new HeadStart(file, ChannelAddress.create());
			Runtime.getRuntime().addShutdownHook(headStart.killer);
			for (WorkerStart start : plan.starts()) {
				headStart.fork(start);
			}
			return headStart;
		}
		catch (IOException | RuntimeException ex) {
			// No plan to go by (one whose workers cannot be forked is removed): the master
			// forks as it plans, and records a plan once they serve
			if (headStart != null) {
				headStart.abandon();
			}
			return null;
		}
	}

	/**
	 * Records which workers this start forked first, for the next start of the same
	 * launch. Not for a cluster on a port chosen at random: the next one chooses another.
	 * @param programArguments the application's arguments
	 * @param port the cluster's port
	 * @param starts the workers forked first, with their command lines as they are now
	 */
	static void record(List<String> programArguments, int port, List<WorkerStart> starts) {
		record(DIRECTORY, programArguments, port, starts);
	}

	static void record(Path directory, List<String> programArguments, int port, List<WorkerStart> starts) {
		Path file = planFile(directory, programArguments);
		if (file == null || starts.isEmpty()) {
			return;
		}
		removeUnused(directory);
		try {
			Path written = Files.createTempFile(file.getParent(), PLAN_PREFIX, ".tmp");
			try (OutputStream output = Files.newOutputStream(written)) {
				new Plan(port, starts).write(output);
			}
			Files.move(written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			logger.debug("Could not record the plan for the next start in " + file, ex);
		}
	}

	private static @Nullable Path existingPlan(Path directory, List<String> programArguments) {
		Path file = planFile(directory, programArguments);
		return (file != null && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) ? file : null;
	}

	// Without the JVM's options, which would need the management beans on every start of
	// the application: a launch that differs in them gets a plan that does not hold once
	private static @Nullable Path planFile(Path directory, List<String> programArguments) {
		try {
			if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS) || !UserDirectory.isOwnerOnly(directory)) {
				return null;
			}
		}
		catch (IOException ex) {
			return null;
		}
		List<String> launch = new ArrayList<>(List.of(System.getProperty("java.home"),
				System.getProperty("sun.java.command", ""), System.getProperty("user.dir")));
		launch.addAll(programArguments);
		ClassDataSharing.addClassPath(launch, System.getProperty("java.class.path", ""));
		return directory.resolve(PLAN_PREFIX + ClassDataSharing.hash(launch));
	}

	// Launches differ by their arguments, a random port among them in tests
	private static void removeUnused(Path directory) {
		Instant unusedSince = Instant.now().minus(UNUSED);
		try (Stream<Path> files = Files.list(directory)) {
			for (Path plan : files.filter((file) -> file.getFileName().toString().startsWith(PLAN_PREFIX)).toList()) {
				if (Files.getLastModifiedTime(plan, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(unusedSince)) {
					Files.deleteIfExists(plan);
				}
			}
		}
		catch (IOException ex) {
			// Tried again by the next start
		}
	}

	private synchronized void fork(WorkerStart start) throws IOException {
		this.forked.add(new Forked(start,
				WorkerLauncher.start(start.command(), this.address, start.id(), start.slot(), start.standby())));
	}

	/**
	 * The channel the workers forked ahead were told about: the master's.
	 * @return the address
	 */
	ChannelAddress address() {
		return this.address;
	}

	/**
	 * Takes over the worker forked ahead for a launch, if one was, exactly so, and still
	 * runs.
	 * @param start the launch
	 * @return its process, whose secret is still to be written, or {@code null}
	 */
	synchronized @Nullable Process takeOver(WorkerStart start) {
		for (Forked candidate : this.forked) {
			if (candidate.start().equals(start) && candidate.process().isAlive()) {
				this.forked.remove(candidate);
				logger.info("Worker " + start.id() + " was forked at the application's start, as the last start's "
						+ "plan said, " + Duration.ofNanos(System.nanoTime() - this.forkedAt).toMillis()
						+ " ms before this one planned it");
				return candidate.process();
			}
		}
		return null;
	}

	/**
	 * Kills the workers forked ahead that no launch took over.
	 */
	synchronized void end() {
		if (!this.forked.isEmpty()) {
			logger.info(this.forked.size() + " worker(s) forked at the application's start as the last start's plan "
					+ "said were stopped: this start planned otherwise");
			this.forked.forEach((forked) -> forked.process().destroyForcibly());
			this.forked.clear();
		}
		if (Thread.currentThread() != this.killer) {
			try {
				Runtime.getRuntime().removeShutdownHook(this.killer);
			}
			catch (IllegalStateException ex) {
				// Shutting down: the hook ends them anyway
			}
		}
	}

	/**
	 * Kills the workers forked ahead and removes their channel's directory and the plan
	 * they were forked by: this JVM is not a master after all (the configuration no longer
	 * clusters, say), and the next start of this launch forks nothing ahead.
	 */
	public synchronized void abandon() {
		end();
		this.address.delete();
		deleteQuietly(this.plan);
	}

	private static void deleteQuietly(Path plan) {
		try {
			Files.deleteIfExists(plan);
		}
		catch (IOException ex) {
			// The next start without a use for it tries again
		}
	}

	/**
	 * A worker's launch: the command line, its heap option included, and what the master
	 * tells it in its environment.
	 *
	 * @param command the command line
	 * @param id the worker's id
	 * @param slot its slot, or -1 for a standby
	 * @param standby whether it starts as a standby
	 */
	record WorkerStart(List<String> command, int id, int slot, boolean standby) {

		WorkerStart {
			command = List.copyOf(command);
		}

	}

	private record Forked(WorkerStart start, Process process) {
	}

	private record Plan(int port, List<WorkerStart> starts) {

		private static final int MAX_STRING = 1024 * 1024;

		private static final int MAX_COUNT = 4096;

		static Plan read(Path file) throws IOException {
			try (InputStream input = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
				DataInputStream data = new DataInputStream(input);
				if (data.readInt() != FORMAT) {
					throw new IOException("Another format");
				}
				int port = data.readInt();
				List<WorkerStart> starts = new ArrayList<>();
				for (int i = count(data); i > 0; i--) {
					int id = data.readInt();
					int slot = data.readInt();
					boolean standby = data.readBoolean();
					List<String> command = new ArrayList<>();
					for (int j = count(data); j > 0; j--) {
						command.add(readString(data));
					}
					starts.add(new WorkerStart(command, id, slot, standby));
				}
				return new Plan(port, starts);
			}
		}

		void write(OutputStream output) throws IOException {
			DataOutputStream data = new DataOutputStream(output);
			data.writeInt(FORMAT);
			data.writeInt(this.port);
			data.writeInt(this.starts.size());
			for (WorkerStart start : this.starts) {
				data.writeInt(start.id());
				data.writeInt(start.slot());
				data.writeBoolean(start.standby());
				data.writeInt(start.command().size());
				for (String part : start.command()) {
					byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
					data.writeInt(bytes.length);
					data.write(bytes);
				}
			}
			data.flush();
		}

		private static int count(DataInputStream data) throws IOException {
			int count = data.readInt();
			if (count < 0 || count > MAX_COUNT) {
				throw new IOException("A damaged plan");
			}
			return count;
		}

		private static String readString(DataInputStream data) throws IOException {
			int length = data.readInt();
			if (length < 0 || length > MAX_STRING) {
				throw new IOException("A damaged plan");
			}
			byte[] bytes = data.readNBytes(length);
			if (bytes.length != length) {
				throw new IOException("A damaged plan");
			}
			return new String(bytes, StandardCharsets.UTF_8);
		}

	}

}
