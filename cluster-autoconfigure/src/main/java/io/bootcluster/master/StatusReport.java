package io.bootcluster.master;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import io.bootcluster.ClusterStatus;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import org.jspecify.annotations.Nullable;

/**
 * Builds the {@link ClusterStatus} that {@code /actuator/cluster} shows, from the
 * supervisor's state. Called on the supervisor's loop.
 */
final class StatusReport {

	private StatusReport() {
	}

	static ClusterStatus of(Collection<WorkerProcess> workers, long now, int desiredWorkers, long restarts,
			ClusterHistory history, FrameCodec codec, ClusterStatus.@Nullable Restart restart,
			List<ClusterStatus.PerWorkerState> perWorkerState, int leader) {
		List<ClusterStatus.Worker> list = new ArrayList<>();
		for (WorkerProcess worker : workers) {
			list.add(worker(worker, now, worker.id == leader));
		}
		return new ClusterStatus(ProcessHandle.current().pid(), desiredWorkers, restarts, list, history.events(),
				history.exits(), history.startup(), Map.of("in", codec.framesRead(), "out", codec.framesWritten()),
				restart, perWorkerState, (leader > 0) ? leader : null);
	}

	private static ClusterStatus.Worker worker(WorkerProcess worker, long now, boolean leader) {
		Message.Heartbeat health = worker.health;
		// Until its first heartbeat, a worker reports nothing: no CPU share is -1
		Message.Heartbeat shown = (health != null) ? health : new Message.Heartbeat(0, 0, -1, 0);
		return new ClusterStatus.Worker(worker.id, worker.handle.pid(), worker.state().name().toLowerCase(),
				ClusterHistory.timestamp(worker.startedAt), Duration.ofSeconds(worker.uptime(now).toSeconds()).toString(),
				worker.restarts, worker.life.exitedAfterDisconnect(), worker.slot().lastExit, shown.heapUsed(),
				shown.heapMax(), shown.cpu(), shown.requests(), worker.life.isStandby(), leader,
				worker.life.isStandby() ? -1 : worker.slot().index);
	}

}
