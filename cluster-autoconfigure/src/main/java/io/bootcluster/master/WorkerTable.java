package io.bootcluster.master;

import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.bootcluster.WorkerSnapshot;
import io.bootcluster.WorkerState;
import io.bootcluster.internal.ipc.Connection;
import org.jspecify.annotations.Nullable;

/**
 * The workers the master has forked and that have not been seen to exit, by id and by
 * connection, and the snapshot of them that other threads read. Owned by the supervisor's
 * loop, except {@link #view()}.
 */
final class WorkerTable {

	private final Map<Integer, WorkerProcess> byId = new LinkedHashMap<>();

	private final Map<Connection, WorkerProcess> byConnection = new IdentityHashMap<>();

	private volatile List<WorkerSnapshot> view = List.of();

	void add(WorkerProcess worker) {
		this.byId.put(worker.id, worker);
	}

	void remove(WorkerProcess worker) {
		this.byId.remove(worker.id);
		Connection connection = worker.connection();
		if (connection != null) {
			this.byConnection.remove(connection);
		}
	}

	void bind(Connection connection, WorkerProcess worker) {
		this.byConnection.put(connection, worker);
	}

	@Nullable WorkerProcess unbind(Connection connection) {
		return this.byConnection.remove(connection);
	}

	@Nullable WorkerProcess get(int id) {
		return this.byId.get(id);
	}

	@Nullable WorkerProcess get(Connection connection) {
		return this.byConnection.get(connection);
	}

	Collection<WorkerProcess> all() {
		return this.byId.values();
	}

	boolean isEmpty() {
		return this.byId.isEmpty();
	}

	int size() {
		return this.byId.size();
	}

	List<WorkerProcess> in(Slot slot) {
		return this.byId.values().stream().filter((worker) -> worker.slot() == slot).toList();
	}

	/**
	 * The members that have not been asked to go.
	 * @return their ids
	 */
	List<Integer> runningIds() {
		return this.byId.values()
			.stream()
			.filter((worker) -> !worker.life.isLeaving() && !worker.life.isStandby())
			.map((worker) -> worker.id)
			.toList();
	}

	long starting() {
		return this.byId.values().stream().filter((worker) -> worker.life.isStarting()).count();
	}

	long serving() {
		return this.byId.values()
			.stream()
			.filter((worker) -> worker.life.hasServed() && !worker.life.isStandby())
			.count();
	}

	/**
	 * The workers that listen, to which requests can be sent.
	 * @return their connections, by worker id
	 */
	Map<Integer, Connection> listeningConnections() {
		Map<Integer, Connection> connections = new LinkedHashMap<>();
		for (WorkerProcess worker : this.byId.values()) {
			Connection connection = worker.connection();
			if (worker.state() == WorkerState.LISTENING && connection != null) {
				connections.put(worker.id, connection);
			}
		}
		return connections;
	}

	boolean anyAlive() {
		return this.byId.values().stream().anyMatch((worker) -> worker.handle.isAlive());
	}

	/**
	 * Takes a new snapshot of the workers, for {@link #view()}.
	 */
	void refreshView() {
		List<WorkerSnapshot> snapshots = new ArrayList<>(this.byId.size());
		this.byId.values().forEach((worker) -> snapshots.add(worker.snapshot()));
		this.view = List.copyOf(snapshots);
	}

	/**
	 * The workers as they were at the last event. Safe from any thread.
	 * @return their snapshots
	 */
	List<WorkerSnapshot> view() {
		return this.view;
	}

}
