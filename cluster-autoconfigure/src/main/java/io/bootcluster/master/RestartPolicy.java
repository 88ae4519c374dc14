package io.bootcluster.master;

import java.time.Duration;

/**
 * When a slot whose worker crashed gets its next worker. Crashes back off exponentially;
 * a worker that stays up for {@code stableUptime} starts its slot's count over; after
 * {@code maxCrashes} crashes in a row the slot stops respawning, so a broken build never
 * turns into a fork storm.
 *
 * @param initialBackoff delay before replacing the first crash in a row
 * @param multiplier how much longer each further delay is
 * @param maxBackoff the longest delay
 * @param stableUptime uptime after which a worker's crash starts a new row
 * @param maxCrashes crashes in a row after which the slot stops respawning
 */
public record RestartPolicy(Duration initialBackoff, double multiplier, Duration maxBackoff, Duration stableUptime,
		int maxCrashes) {

	/**
	 * Counts a crash.
	 * @param crashesInRow crashes in a row before this one
	 * @param uptime how long the crashed worker ran
	 * @return crashes in a row, this one included
	 */
	int countCrash(int crashesInRow, Duration uptime) {
		return (uptime.compareTo(this.stableUptime) >= 0) ? 1 : crashesInRow + 1;
	}

	/**
	 * Whether a slot has crashed too often to respawn.
	 * @param crashesInRow crashes in a row
	 * @return whether to stop respawning
	 */
	boolean exhausted(int crashesInRow) {
		return crashesInRow >= this.maxCrashes;
	}

	/**
	 * The delay before replacing a crashed worker.
	 * @param crashesInRow crashes in a row, at least 1
	 * @return the delay
	 */
	Duration backoff(int crashesInRow) {
		double millis = this.initialBackoff.toMillis() * Math.pow(this.multiplier, crashesInRow - 1);
		return (millis >= this.maxBackoff.toMillis()) ? this.maxBackoff : Duration.ofMillis((long) millis);
	}

}
