package io.bootcluster.master;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The places the cluster keeps a worker in: as many as it wants workers, the order their
 * first workers start in, and what a crash costs a slot (a backoff before its next
 * worker, or the slot given up after too many crashes in a row). Owned by the
 * supervisor's loop, except {@link #desired()}.
 */
final class Slots {

	private static final Log logger = LogFactory.getLog(Slots.class);

	static final Duration FIRST_LAUNCH_RETRY = Duration.ofMillis(500);

	static final Duration LONGEST_LAUNCH_RETRY = Duration.ofSeconds(30);

	private final List<Slot> slots = new ArrayList<>();

	private final LaunchPacing pacing;

	private final RestartPolicy policy;

	// Changed on the loop, read from any thread
	private volatile int desired;

	private long restarts;

	Slots(int desired, LaunchPacing pacing, RestartPolicy policy) {
		this.pacing = pacing;
		this.policy = policy;
		this.desired = desired;
		for (int i = 0; i < desired; i++) {
			this.slots.add(new Slot(i));
		}
		pacing.queue(this.slots);
	}

	int desired() {
		return this.desired;
	}

	int maxCrashes() {
		return this.policy.maxCrashes();
	}

	/**
	 * Workers replaced after they died, in every slot but the standbys'.
	 * @return the count
	 */
	long restarts() {
		return this.restarts;
	}

	/**
	 * The next slot to start a first worker in, if there is room for one more start.
	 * @param starting how many workers are starting now
	 * @return the slot, or {@code null}
	 */
	@Nullable Slot nextToStart(long starting) {
		return this.pacing.next(starting);
	}

	/**
	 * Changes the number of slots. New slots queue for a first worker; removed slots are
	 * those that gave up first, then the newest.
	 * @param desired the new number
	 * @return the slots removed, whose workers are to go
	 */
	List<Slot> resize(int desired) {
		for (int i = this.desired; i < desired; i++) {
			Slot slot = new Slot(lowestFreeIndex());
			this.slots.add(slot);
			this.pacing.queue(List.of(slot));
		}
		List<Slot> active = new ArrayList<>(this.slots.stream().filter((slot) -> !slot.removed).toList());
		active.sort(Comparator.comparing((Slot slot) -> !slot.givenUp)
			.thenComparing((slot) -> slot.index, Comparator.reverseOrder()));
		List<Slot> removed = List.copyOf(active.subList(0, Math.max(0, active.size() - desired)));
		removed.forEach((slot) -> slot.removed = true);
		this.desired = desired;
		return removed;
	}

	/**
	 * Gives the slots that gave up another chance, as an operator's rolling restart or
	 * scale request does: a new build may have fixed what made their workers crash.
	 * @return how many came back, queued for a worker
	 */
	int revive() {
		List<Slot> revived = this.slots.stream().filter((slot) -> slot.givenUp && !slot.removed).toList();
		for (Slot slot : revived) {
			slot.givenUp = false;
			slot.crashesInRow = 0;
		}
		this.pacing.queue(revived);
		return revived.size();
	}

	// Slots run from 0 to the number of workers less one, as applications that split work
	// by slot expect: a new slot takes the lowest index no slot in use has
	private int lowestFreeIndex() {
		int index = 0;
		while (true) {
			int candidate = index;
			if (this.slots.stream().noneMatch((slot) -> !slot.removed && slot.index == candidate)) {
				return candidate;
			}
			index++;
		}
	}

	/**
	 * Whether no slot will ever get a worker again.
	 * @return whether every slot gave up or was removed
	 */
	boolean noneLeft() {
		return this.slots.stream().allMatch((slot) -> slot.givenUp || slot.removed);
	}

	/**
	 * Counts a launch that failed: the master could not start a process (no memory, no
	 * process or file descriptor left). A shortage passes, so the slot never gives up
	 * because of it, and the application is not charged with a crash.
	 * @param slot the slot
	 * @return how long to wait before launching again
	 */
	Duration launchFailed(Slot slot) {
		slot.launchFailuresInRow++;
		long millis = FIRST_LAUNCH_RETRY.toMillis() << Math.min(slot.launchFailuresInRow - 1, 10);
		return Duration.ofMillis(Math.min(millis, LONGEST_LAUNCH_RETRY.toMillis()));
	}

	/**
	 * Counts a launch that worked.
	 * @param slot the slot
	 */
	void launched(Slot slot) {
		slot.launchFailuresInRow = 0;
	}

	/**
	 * Counts a worker that died while a successor already started in its slot.
	 * @param slot the slot
	 */
	void replaced(Slot slot) {
		this.restarts++;
		slot.restarts++;
	}

	/**
	 * Whether a crash now would make a slot give up.
	 * @param slot the slot
	 * @param uptime how long its worker ran
	 * @return whether the slot would not be respawned
	 */
	boolean wouldGiveUp(Slot slot, Duration uptime) {
		return this.policy.exhausted(this.policy.countCrash(slot.crashesInRow, uptime));
	}

	/**
	 * Counts a crash in a slot.
	 * @param slot the slot
	 * @param uptime how long its worker ran: a long run starts a new count
	 * @param standby whether it is the standbys' slot, whose restarts are not the cluster's
	 * @return how long to wait before the slot's next worker, or {@code null} when the slot
	 * gives up
	 */
	@Nullable Duration crashed(Slot slot, Duration uptime, boolean standby) {
		if (!standby) {
			this.restarts++;
		}
		slot.restarts++;
		int crashes = this.policy.countCrash(slot.crashesInRow, uptime);
		slot.crashesInRow = crashes;
		if (this.policy.exhausted(crashes)) {
			slot.givenUp = true;
			logger.error("A worker crashed " + crashes + " times in a row without staying up for "
					+ this.policy.stableUptime().toSeconds()
					+ "s: its slot will not be respawned (cluster.restart.max-crashes=" + this.policy.maxCrashes()
					+ "). The worker output above shows why it fails.");
			return null;
		}
		return this.policy.backoff(crashes);
	}

}
