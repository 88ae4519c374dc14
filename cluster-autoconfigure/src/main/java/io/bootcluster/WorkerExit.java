package io.bootcluster;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * How a worker process ended.
 *
 * @param code the exit code, as the JDK reports it ({@code 128 + n} for signal {@code n})
 * @param signal the name of the signal that ended the process, or {@code null} when it
 * exited on its own
 */
public record WorkerExit(int code, @Nullable String signal) {

	private static final Map<Integer, String> SIGNALS = Map.ofEntries(Map.entry(1, "SIGHUP"), Map.entry(2, "SIGINT"),
			Map.entry(3, "SIGQUIT"), Map.entry(4, "SIGILL"), Map.entry(5, "SIGTRAP"), Map.entry(6, "SIGABRT"),
			Map.entry(7, "SIGBUS"), Map.entry(8, "SIGFPE"), Map.entry(9, "SIGKILL"), Map.entry(10, "SIGUSR1"),
			Map.entry(11, "SIGSEGV"), Map.entry(12, "SIGUSR2"), Map.entry(13, "SIGPIPE"), Map.entry(14, "SIGALRM"),
			Map.entry(15, "SIGTERM"));

	/**
	 * Describes an exit from the code the JDK reported. On Unix the JDK reports a process
	 * killed by signal {@code n} as code {@code 128 + n}; an exit code in that range is read
	 * as that signal.
	 * @param code the exit code
	 * @return the exit
	 */
	public static WorkerExit of(int code) {
		return new WorkerExit(code, (code > 128) ? SIGNALS.get(code - 128) : null);
	}

	@Override
	public String toString() {
		return (this.signal != null) ? "code " + this.code + " (" + this.signal + ")" : "code " + this.code;
	}

}
