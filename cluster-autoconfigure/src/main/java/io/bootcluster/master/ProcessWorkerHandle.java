package io.bootcluster.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * A worker's JVM, started by the master, and the threads that copy its output to the
 * master's with the worker's prefix.
 */
final class ProcessWorkerHandle implements WorkerHandle {

	private static final Log logger = LogFactory.getLog(ProcessWorkerHandle.class);

	private final int id;

	private final Process process;

	private final List<Thread> outputPumps;

	ProcessWorkerHandle(int id, Process process, WorkerOutput output) {
		this.id = id;
		this.process = process;
		this.outputPumps = List.of(OutputPump.start(process.getInputStream(), System.out, output, id, false),
				OutputPump.start(process.getErrorStream(), System.err, output, id, true));
	}

	@Override
	public long pid() {
		return this.process.pid();
	}

	@Override
	public void favourCompilers() {
		CompilerPriority.raise(pid());
	}

	@Override
	public boolean isAlive() {
		return this.process.isAlive();
	}

	@Override
	public boolean isExiting() {
		try {
			return isExiting(Files.readAllLines(Path.of("/proc/" + pid() + "/status")));
		}
		catch (IOException ex) {
			return !isAlive();
		}
	}

	/**
	 * Whether a process is ending, by its {@code /proc/<pid>/status}: its main thread is a
	 * zombie (a JVM's waits for the others until it exits), or SIGKILL is pending, which the
	 * kernel also sends each thread of a process that exits or crashes.
	 * @param status the file's lines
	 * @return whether it is ending
	 */
	static boolean isExiting(List<String> status) {
		for (String line : status) {
			if ((line.startsWith("State:") && (line.contains("Z (") || line.contains("X ("))
					|| (line.startsWith("SigPnd:") || line.startsWith("ShdPnd:")) && isKillPending(line))) {
				return true;
			}
		}
		return false;
	}

	// A mask in hexadecimal, bit n - 1 for signal n
	private static boolean isKillPending(String line) {
		String mask = line.substring(line.indexOf(':') + 1).strip();
		int digit = (mask.length() >= 3) ? Character.digit(mask.charAt(mask.length() - 3), 16) : -1;
		return digit > 0 && (digit & 1) != 0;
	}

	@Override
	public void onExit(Runnable action) {
		// Off the JDK's process reaper thread: draining the output may take a moment
		this.process.onExit().thenRunAsync(() -> {
			drainOutput();
			action.run();
		}, (task) -> {
			try {
				new Thread(task, "cluster-exit-" + this.id).start();
			}
			catch (Throwable ex) {
				// No thread to spare: on the JDK's reaper, rather than an exit never seen
				task.run();
			}
		});
	}

	// The worker's last lines appear before its exit is reported
	private void drainOutput() {
		for (Thread pump : this.outputPumps) {
			try {
				pump.join(1000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	@Override
	public int exitValue() {
		return this.process.exitValue();
	}

	@Override
	public void terminate() {
		this.process.destroy();
	}

	@Override
	public void kill() {
		this.process.descendants().forEach(ProcessHandle::destroyForcibly);
		this.process.destroyForcibly();
	}

	// SIGQUIT is answered by the JVM itself, on a thread of its own, however stuck the
	// application is; the dump goes to the worker's output
	@Override
	public void requestThreadDump() {
		try {
			new ProcessBuilder("kill", "-QUIT", Long.toString(pid())).inheritIO().start();
		}
		catch (IOException ex) {
			logger.warn("Could not ask pid " + pid() + " for a thread dump: " + ex.getMessage());
		}
	}

	@Override
	public Optional<Duration> cpuTime() {
		return this.process.info().totalCpuDuration();
	}

	@Override
	public String toString() {
		return "pid " + pid();
	}

}
