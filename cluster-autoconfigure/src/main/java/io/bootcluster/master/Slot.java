package io.bootcluster.master;

import io.bootcluster.ClusterStatus;
import org.jspecify.annotations.Nullable;

/**
 * A place for one worker. The cluster has as many slots as it has desired workers; a
 * worker that dies is replaced in its slot, and a slot remembers the crashes of its
 * workers so that replacements back off.
 */
final class Slot {

	final int index;

	int crashesInRow;

	/** Launches that failed in a row: the master's own failures, not its workers'. */
	int launchFailuresInRow;

	long restarts;

	ClusterStatus.@Nullable Exit lastExit;

	/** No longer respawned, after too many crashes in a row. */
	boolean givenUp;

	/** Taken away by scaling down: its worker is not replaced. */
	boolean removed;

	Slot(int index) {
		this.index = index;
	}

}
