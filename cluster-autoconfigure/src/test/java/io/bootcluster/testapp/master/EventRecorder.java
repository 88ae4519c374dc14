package io.bootcluster.testapp.master;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.bootcluster.ClusterMasterConfiguration;
import io.bootcluster.ClusterMessageEvent;
import io.bootcluster.ClusterMessenger;
import io.bootcluster.ClusterWorkerEvent;
import io.bootcluster.WorkerForkEvent;
import io.bootcluster.WorkerListeningEvent;
import io.bootcluster.WorkerSnapshot;

import org.jspecify.annotations.Nullable;

import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;

/**
 * Master-side configuration, listed in the test class path's
 * {@code io.bootcluster.ClusterMasterConfiguration.imports}: prints every cluster event as
 * a line the process tests read, and says in which process it was created.
 */
@ClusterMasterConfiguration
public class EventRecorder {

	public EventRecorder(ClusterMessenger messenger, Environment environment) {
		this.messenger = messenger;
		String release = environment.getProperty("test.blocking-master-listener");
		this.listenerRelease = (release != null) ? Path.of(release) : null;
		System.out.println("RECORDER created in pid " + ProcessHandle.current().pid());
	}

	private final ClusterMessenger messenger;

	private final @Nullable Path listenerRelease;

	private boolean blocked;

	private int lastInSequence;

	@EventListener(condition = "#root.event.topic == 'question'")
	String answer(ClusterMessageEvent message) {
		return "the master heard " + message.getPayload(String.class);
	}

	// Read with the master's JsonMapper, as the worker wrote it with the application's
	@EventListener(condition = "#root.event.topic == 'person'")
	String person(ClusterMessageEvent message) {
		return "first name " + message.getPayload(Person.class).firstName();
	}

	record Person(String firstName) {
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

	@EventListener(condition = "!{'question', 'sequence', 'person'}.contains(#root.event.topic)")
	void message(ClusterMessageEvent message) {
		System.out.println("EVENT message worker=" + message.getSender() + " topic=" + message.getTopic() + " payload="
				+ message.getPayload());
	}

	// Master to worker: every worker that listens is greeted
	@EventListener
	void greet(WorkerListeningEvent event) {
		this.messenger.send(event.getWorker().id(), "clear-cache", "greetings from the master");
	}

	// Lets a test show that a slow or failing listener holds up no worker: on the first
	// fork, it waits until the test creates a file, then fails
	@EventListener
	void blocking(WorkerForkEvent event) throws InterruptedException {
		if (this.listenerRelease != null && !this.blocked) {
			this.blocked = true;
			System.out.println("BLOCKED listener on the fork of worker " + event.getWorker().id());
			long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
			while (!Files.exists(this.listenerRelease) && System.nanoTime() < deadline) {
				Thread.sleep(50);
			}
			throw new IllegalStateException("the blocked listener fails once released");
		}
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
