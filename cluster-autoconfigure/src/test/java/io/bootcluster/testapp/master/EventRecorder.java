package io.bootcluster.testapp.master;

import io.bootcluster.ClusterMasterConfiguration;
import io.bootcluster.ClusterWorkerEvent;
import io.bootcluster.WorkerListeningEvent;
import io.bootcluster.WorkerMessageEvent;
import io.bootcluster.WorkerSnapshot;

import org.springframework.context.event.EventListener;

/**
 * Master-side configuration, listed in the test class path's
 * {@code io.bootcluster.ClusterMasterConfiguration.imports}: prints every cluster event as
 * a line the process tests read, and says in which process it was created.
 */
@ClusterMasterConfiguration
public class EventRecorder {

	public EventRecorder() {
		System.out.println("RECORDER created in pid " + ProcessHandle.current().pid());
	}

	@EventListener
	void on(ClusterWorkerEvent event) {
		WorkerSnapshot worker = event.getWorker();
		String type = event.getClass().getSimpleName().replace("Worker", "").replace("Event", "").toLowerCase();
		String detail = (event instanceof WorkerListeningEvent listening) ? " port=" + listening.getAddress().getPort()
				: (event instanceof WorkerMessageEvent message)
						? " topic=" + message.getTopic() + " payload=" + message.getPayload() : "";
		System.out.println("EVENT " + type + " worker=" + worker.id() + " pid=" + worker.pid() + " state="
				+ worker.state() + " exitedAfterDisconnect=" + worker.exitedAfterDisconnect() + " exit="
				+ ((worker.exit() != null) ? worker.exit().code() + "/" + worker.exit().signal() : "none") + detail);
	}

}
