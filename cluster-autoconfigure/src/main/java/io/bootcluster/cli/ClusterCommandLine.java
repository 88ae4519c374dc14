package io.bootcluster.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import io.bootcluster.ClusterStatus;
import io.bootcluster.internal.control.ControlChannel;
import io.bootcluster.internal.control.MasterRegistry;
import io.bootcluster.internal.ipc.FrameCodec;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The cluster's commands: finds the master to ask (the one running this jar, or the one
 * {@code --pid} or {@code --port} names), asks it, and prints its answer as a table for
 * people or as JSON for scripts ({@code --json}). The exit code says what happened:
 * {@value #DONE} done, {@value #REFUSED} the master refused or the restart failed,
 * {@value #USAGE} a wrong command line, {@value #NOT_RUNNING} no such master runs for this
 * user, {@value #UNREACHABLE} the master did not answer. Used by one thread.
 */
final class ClusterCommandLine {

	static final int DONE = 0;

	static final int REFUSED = 1;

	static final int USAGE = 2;

	static final int NOT_RUNNING = 3;

	static final int UNREACHABLE = 4;

	private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

	// A rolling restart replaces workers one at a time, each within its startup timeout
	private static final Duration RESTART_TIMEOUT = Duration.ofMinutes(30);

	private static final Duration RESTART_POLL = Duration.ofMillis(250);

	private static final String USAGE_TEXT = """
			Usage: java -Djarmode=cluster -jar <app.jar> <command> [--json] [--pid <pid> | --port <port>]

			Commands:
			  status        the workers, their state and resources, and the cluster's health
			  restart       replaces every worker, one at a time, with no request lost; waits until done
			  scale <n>     runs n workers from now on
			  stop <id>     stops worker <id> gracefully; a new worker takes its place
			  events        the latest forks, exits and other events

			Options:
			  --json        prints the master's answer as JSON
			  --pid <pid>   the master with this process id, when several run
			  --port <port> the master whose workers share this port, when several run

			Exit codes: 0 done, 1 refused or failed, 2 wrong command line, 3 no such master running,
			4 the master did not answer.""";

	private final PrintStream out;

	private final Masters masters;

	ClusterCommandLine(PrintStream out, Masters masters) {
		this.out = out;
		this.masters = masters;
	}

	/**
	 * Runs a command.
	 * @param args the command line
	 * @return the exit code
	 */
	int run(String[] args) {
		Arguments arguments;
		try {
			arguments = Arguments.parse(args);
		}
		catch (IllegalArgumentException ex) {
			this.out.println(ex.getMessage());
			this.out.println();
			this.out.println(USAGE_TEXT);
			return USAGE;
		}
		if (arguments.command().equals("help")) {
			this.out.println(USAGE_TEXT);
			return DONE;
		}
		MasterRegistry.Entry master = find(arguments);
		if (master == null) {
			return NOT_RUNNING;
		}
		try {
			return switch (arguments.command()) {
				case "status" -> status(master, arguments.json());
				case "events" -> events(master, arguments.json());
				case "restart" -> restart(master, arguments.json());
				case "scale" -> command(master, request("scale").put("workers", arguments.operand()),
						arguments.json());
				default -> command(master, request("stop").put("worker", arguments.operand()), arguments.json());
			};
		}
		catch (IOException ex) {
			this.out.println("The master (pid " + master.pid() + ") did not answer: " + ex.getMessage());
			return UNREACHABLE;
		}
	}

	private MasterRegistry.@Nullable Entry find(Arguments arguments) {
		List<MasterRegistry.Entry> running = this.masters.running();
		String application = MasterRegistry.currentApplication();
		Predicate<MasterRegistry.Entry> chosen = (arguments.pid() != null)
				? (entry) -> entry.pid() == arguments.pid()
				: (arguments.port() != null) ? (entry) -> entry.port() == arguments.port()
						: (entry) -> entry.application().equals(application);
		List<MasterRegistry.Entry> matching = running.stream().filter(chosen).toList();
		if (matching.size() == 1) {
			return matching.get(0);
		}
		String which = (arguments.pid() != null) ? "with pid " + arguments.pid()
				: (arguments.port() != null) ? "on port " + arguments.port() : "of " + application;
		if (matching.isEmpty()) {
			this.out.println("No cluster " + which + " is running for user " + System.getProperty("user.name")
					+ ". Start one with: java -jar " + Path.of(application).getFileName());
			if (!running.isEmpty()) {
				this.out.println("Running: " + describe(running));
			}
		}
		else {
			this.out.println(matching.size() + " clusters " + which + " are running: " + describe(matching)
					+ ". Choose one with --pid or --port.");
		}
		return null;
	}

	private static String describe(List<MasterRegistry.Entry> masters) {
		return masters.stream()
			.map((entry) -> "pid " + entry.pid() + " on port " + entry.port() + " (" + entry.application() + ")")
			.collect(Collectors.joining(", "));
	}

	private int status(MasterRegistry.Entry master, boolean json) throws IOException {
		JsonNode answer = this.masters.ask(master, request("status"), ANSWER_TIMEOUT);
		if (json || answer.has("error")) {
			return print(answer, json);
		}
		this.out.print(StatusTable.status(toStatus(answer), master.port()));
		return DONE;
	}

	private int events(MasterRegistry.Entry master, boolean json) throws IOException {
		JsonNode answer = this.masters.ask(master, request("status"), ANSWER_TIMEOUT);
		if (json || answer.has("error")) {
			return print(json ? answer.path("events") : answer, json);
		}
		this.out.print(StatusTable.events(toStatus(answer).events()));
		return DONE;
	}

	private int restart(MasterRegistry.Entry master, boolean json) throws IOException {
		JsonNode started = this.masters.ask(master, request("restart"), ANSWER_TIMEOUT);
		if (started.has("error")) {
			return print(started, json);
		}
		if (!json) {
			List<String> workers = new ArrayList<>();
			started.path("workers").forEach((worker) -> workers.add(worker.asString()));
			this.out.println("Restarting workers " + String.join(", ", workers) + " one at a time...");
		}
		long deadline = System.nanoTime() + RESTART_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			ClusterStatus status = toStatus(this.masters.ask(master, request("status"), ANSWER_TIMEOUT));
			ClusterStatus.Restart restart = status.restart();
			if (restart != null && !restart.state().equals("running")) {
				if (json) {
					this.out.println(FrameCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(restart));
				}
				else {
					this.out.println("Restart " + restart.state()
							+ ((restart.message() != null) ? ": " + restart.message() : "") + ".");
					this.out.print(StatusTable.status(status, master.port()));
				}
				return restart.state().equals("done") ? DONE : REFUSED;
			}
			sleep(RESTART_POLL);
		}
		this.out.println("The restart still runs after " + RESTART_TIMEOUT.toMinutes() + " minutes");
		return REFUSED;
	}

	private int command(MasterRegistry.Entry master, ObjectNode request, boolean json) throws IOException {
		JsonNode answer = this.masters.ask(master, request, ANSWER_TIMEOUT);
		if (json || answer.has("error")) {
			return print(answer, json);
		}
		this.out.println(switch (request.path("action").asString()) {
			case "scale" -> "Scaling from " + answer.path("from").asInt() + " to " + answer.path("to").asInt()
					+ " workers";
			default -> "Worker " + answer.path("worker").asInt()
					+ " stops gracefully; a new worker takes its place";
		});
		return DONE;
	}

	private int print(JsonNode answer, boolean json) {
		JsonNode error = answer.get("error");
		if (json) {
			this.out.println(FrameCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(answer));
		}
		else if (error != null) {
			this.out.println("The master refused: " + error.asString());
		}
		return (error != null) ? REFUSED : DONE;
	}

	private static ClusterStatus toStatus(JsonNode answer) {
		return FrameCodec.mapper().treeToValue(answer, ClusterStatus.class);
	}

	private static ObjectNode request(String action) {
		return FrameCodec.mapper().createObjectNode().put("action", action);
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * The running masters, and how to ask one.
	 */
	interface Masters {

		/** This user's masters, found in the registry, asked on their control sockets. */
		Masters RUNNING = new Masters() {

			@Override
			public List<MasterRegistry.Entry> running() {
				return MasterRegistry.running();
			}

			@Override
			public JsonNode ask(MasterRegistry.Entry master, JsonNode request, Duration timeout) throws IOException {
				return ControlChannel.ask(Path.of(master.control()), request, timeout);
			}

		};

		List<MasterRegistry.Entry> running();

		JsonNode ask(MasterRegistry.Entry master, JsonNode request, Duration timeout) throws IOException;

	}

	/**
	 * A command line, parsed.
	 *
	 * @param command the command
	 * @param operand the command's number, for {@code scale} and {@code stop}
	 * @param json whether to print JSON
	 * @param pid the master's pid, when given
	 * @param port the cluster's port, when given
	 */
	record Arguments(String command, int operand, boolean json, @Nullable Long pid, @Nullable Integer port) {

		private static final List<String> COMMANDS = List.of("status", "restart", "scale", "stop", "events", "help");

		static Arguments parse(String[] args) {
			List<String> words = new ArrayList<>();
			boolean json = false;
			Long pid = null;
			Integer port = null;
			for (int i = 0; i < args.length; i++) {
				switch (args[i]) {
					case "--json" -> json = true;
					case "--pid" -> pid = (long) number(args, ++i, "--pid");
					case "--port" -> port = number(args, ++i, "--port");
					case "--help", "-h" -> words.add(0, "help");
					default -> {
						if (args[i].startsWith("-")) {
							throw new IllegalArgumentException("Unknown option " + args[i]);
						}
						words.add(args[i]);
					}
				}
			}
			if (words.isEmpty()) {
				throw new IllegalArgumentException("No command given");
			}
			String command = words.get(0);
			if (!COMMANDS.contains(command)) {
				throw new IllegalArgumentException("Unknown command '" + command + "'");
			}
			boolean takesNumber = command.equals("scale") || command.equals("stop");
			if (command.equals("help")) {
				return new Arguments(command, 0, json, pid, port);
			}
			if (words.size() != (takesNumber ? 2 : 1)) {
				throw new IllegalArgumentException(takesNumber
						? "'" + command + "' takes one number: " + (command.equals("scale") ? "scale <n>" : "stop <id>")
						: "'" + command + "' takes no operand");
			}
			int operand = takesNumber ? number(words.toArray(String[]::new), 1, command) : 0;
			return new Arguments(command, operand, json, pid, port);
		}

		private static int number(String[] args, int index, String what) {
			if (index >= args.length) {
				throw new IllegalArgumentException(what + " needs a number");
			}
			try {
				int number = Integer.parseInt(args[index]);
				if (number < 0) {
					throw new NumberFormatException();
				}
				return number;
			}
			catch (NumberFormatException ex) {
				throw new IllegalArgumentException(what + " needs a number, not '" + args[index] + "'");
			}
		}

	}

}
