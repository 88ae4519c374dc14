package io.bootcluster.worker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Ends of a worker's JVM, recorded instead of carried out.
 */
class RecordedEnds extends JvmEnd {

	final List<String> ends = new CopyOnWriteArrayList<>();

	@Override
	void exit(int code) {
		this.ends.add("exit " + code);
	}

	@Override
	void halt(int code) {
		this.ends.add("halt " + code);
	}

	@Override
	void haltAfter(Duration grace, int code) {
		this.ends.add("halt " + code + " after " + grace.toSeconds() + "s");
	}

}
