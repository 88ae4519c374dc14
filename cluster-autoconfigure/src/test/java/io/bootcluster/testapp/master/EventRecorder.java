package io.bootcluster.testapp.master;

import io.bootcluster.ClusterMasterConfiguration;
import io.bootcluster.ClusterMessageEvent;
import io.bootcluster.ClusterMessenger;
import io.bootcluster.ClusterWorkerEvent;
import io.bootcluster.WorkerListeningEvent;
import io.bootcluster.WorkerSnapshot;

import org.springframework.context.event.EventListener;

/**
 * Master-side configuration, listed in the test class path's
 * {@code io.bootcluster.ClusterMasterConfiguration.imports}: prints every cluster event as
 * a line the process tests read, and says in which process it was created.
 */
@ClusterMasterConfiguration
public class EventRecorder {

	public EventRecorder(ClusterMessenger messenger) {
		this.messenger = messenger;
		System.out.println("RECORDER created in pid " + ProcessHandle.current().pid());
	}

	private final ClusterMessenger messenger;

	private int lastInSequence;

	@EventListener(condition = "#root.event.topic == 'question'")
	String answer(ClusterMessageEvent message) {
		return "the master heard " + message.getPayload(String.class);
	}

	@EventListener(condition = "#root.event.topic == 'sequence'")
	void sequence(ClusterMessageEvent message) {
		int number = message.getPayload(Integer.class);
		if (number != this.lastInSequence + 1) {
			System.out.println("SEQUENCE broken: " + number + " after " + this.lastInSequence);
		}
		this.lastInSequence = number;
		if (number % 1000 == 0) {
			System.out.println("SEQUENCE " + number + " in order from worker " + message.getSender());
		}
	}

	@EventListener(condition = "#root.event.topic != 'question' && #root.event.topic != 'sequence'")
	void message(ClusterMessageEvent message) {
		System.out.println("EVENT message worker=" + message.getSender() + " topic=" + message.getTopic() + " payload="
				+ message.getPayload());
	}

	// Master to worker: every worker that listens is greeted
	@EventListener
	void greet(WorkerListeningEvent event) {
		this.messenger.send(event.getWorker().id(), "clear-cache", "greetings from the master");
	}

	@EventListener
	void on(ClusterWorkerEvent event) {
		WorkerSnapshot worker = event.getWorker();
		String type = event.getClass().getSimpleName().replace("Worker", "").replace("Event", "").toLowerCase();
		String detail = (event instanceof WorkerListeningEvent listening) ? " port=" + listening.getAddress().getPort()
				: "";
		System.out.println("EVENT " + type + " worker=" + worker.id() + " pid=" + worker.pid() + " state="
				+ worker.state() + " exitedAfterDisconnect=" + worker.exitedAfterDisconnect() + " exit="
				+ ((worker.exit() != null) ? worker.exit().code() + "/" + worker.exit().signal() : "none") + detail);
	}

}
