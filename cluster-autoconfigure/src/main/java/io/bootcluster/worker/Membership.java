package io.bootcluster.worker;

import java.util.List;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * Who is on the cluster's channel, as the master last announced, for the messenger that
 * needs to know: the channel's reader announces, the application's startup subscribes the
 * messenger. One lock guards both, so a messenger that subscribes while an announcement
 * arrives ends up with the newer list, never a stale one.
 */
final class Membership {

	private final Object lock = new Object();

	private List<Integer> members = List.of();

	private @Nullable Consumer<List<Integer>> subscriber;

	/**
	 * Takes the master's announcement, and passes it on.
	 * @param workers the workers on the channel
	 */
	void announced(List<Integer> workers) {
		synchronized (this.lock) {
			this.members = List.copyOf(workers);
			if (this.subscriber != null) {
				this.subscriber.accept(this.members);
			}
		}
	}

	/**
	 * Passes the members to a subscriber now, and every announcement from now on.
	 * @param subscriber who learns the members
	 */
	void subscribe(Consumer<List<Integer>> subscriber) {
		synchronized (this.lock) {
			subscriber.accept(this.members);
			this.subscriber = subscriber;
		}
	}

}
