package io.bootcluster.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.bootcluster.ClusterStatus;
import org.jspecify.annotations.Nullable;

/**
 * The cluster's status and events as tables for people, in the manner of {@code pm2 list}:
 * one line per worker, columns padded to their widest cell. Stateless.
 */
final class StatusTable {

	private static final long MIB = 1024 * 1024;

	private StatusTable() {
	}

	/**
	 * The cluster's summary line, then one line per worker.
	 * @param status the cluster's status
	 * @param port the port its workers share
	 * @return the text, ending with a line break
	 */
	static String status(ClusterStatus status, int port) {
		long listening = status.workers()
			.stream()
			.filter((worker) -> worker.state().equals("listening") && !worker.standby())
			.count();
		StringBuilder text = new StringBuilder();
		text.append("Cluster on port ").append(port).append(" (master pid ").append(status.masterPid()).append("): ");
		text.append(listening).append(" of ").append(status.desiredWorkers()).append(" workers listening");
		text.append(", ").append(status.restarts()).append(" restarted after a crash");
		ClusterStatus.Restart restart = status.restart();
		if (restart != null && restart.state().equals("running")) {
			text.append(", rolling restart of workers ").append(restart.workers()).append(" running");
		}
		text.append('\n');
		List<List<String>> rows = new ArrayList<>();
		rows.add(List.of("ID", "SLOT", "PID", "STATE", "UPTIME", "HEAP", "CPU", "REQUESTS", "RESTARTS", "LAST EXIT"));
		for (ClusterStatus.Worker worker : status.workers()) {
			rows.add(List.of(Integer.toString(worker.id()), (worker.slot() >= 0) ? Integer.toString(worker.slot()) : "-",
					Long.toString(worker.pid()), state(worker), uptime(worker.uptime()), heap(worker),
					(worker.cpu() >= 0) ? Math.round(worker.cpu() * 100) + "%" : "-", Long.toString(worker.requests()),
					Long.toString(worker.restarts()), exit(worker.lastExit())));
		}
		return text.append(table(rows)).toString();
	}

	/**
	 * The latest events, oldest first.
	 * @param events the events
	 * @return the text, ending with a line break
	 */
	static String events(List<ClusterStatus.Event> events) {
		List<List<String>> rows = new ArrayList<>();
		rows.add(List.of("TIME", "WORKER", "EVENT", "EXIT"));
		for (ClusterStatus.Event event : events) {
			String exit = (event.signal() != null) ? event.signal()
					: (event.code() != null) ? "code " + event.code() : "";
			rows.add(List.of(event.time(), Integer.toString(event.worker()), event.type(), exit));
		}
		return table(rows);
	}

	private static String state(ClusterStatus.Worker worker) {
		return worker.state() + (worker.standby() ? " (standby)" : "") + (worker.leader() ? " (leader)" : "");
	}

	private static String heap(ClusterStatus.Worker worker) {
		return (worker.heapMax() > 0) ? worker.heapUsed() / MIB + "/" + worker.heapMax() / MIB + " MiB" : "-";
	}

	private static String exit(ClusterStatus.@Nullable Exit exit) {
		if (exit == null) {
			return "-";
		}
		return ((exit.signal() != null) ? exit.signal() : "code " + exit.code()) + " at " + exit.at();
	}

	// 'PT1H2M3.5S' as '1h 2m', '2m 3s' or '3s'
	static String uptime(String iso) {
		Duration uptime;
		try {
			uptime = Duration.parse(iso);
		}
		catch (DateTimeParseException ex) {
			return iso;
		}
		long days = uptime.toDays();
		if (days > 0) {
			return days + "d " + uptime.toHoursPart() + "h";
		}
		if (uptime.toHours() > 0) {
			return uptime.toHours() + "h " + uptime.toMinutesPart() + "m";
		}
		if (uptime.toMinutes() > 0) {
			return uptime.toMinutes() + "m " + uptime.toSecondsPart() + "s";
		}
		return uptime.toSeconds() + "s";
	}

	private static String table(List<List<String>> rows) {
		int[] widths = new int[rows.get(0).size()];
		for (List<String> row : rows) {
			for (int i = 0; i < row.size(); i++) {
				widths[i] = Math.max(widths[i], row.get(i).length());
			}
		}
		StringBuilder text = new StringBuilder();
		for (List<String> row : rows) {
			StringBuilder line = new StringBuilder();
			for (int i = 0; i < row.size(); i++) {
				line.append(String.format(Locale.ROOT, "%-" + (widths[i] + 2) + "s", row.get(i)));
			}
			text.append(line.toString().stripTrailing()).append('\n');
		}
		return text.toString();
	}

}
