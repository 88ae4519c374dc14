package io.bootcluster.master;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessWorkerHandleTests {

	// No signal pending
	private static final String NONE = "0000000000000000";

	@Test
	void aRunningProcessIsNotExiting() {
		assertThat(exiting("S (sleeping)", NONE, NONE)).isFalse();
		// SIGQUIT (3) and SIGTERM (15) pending: a thread dump, a graceful stop
		assertThat(exiting("R (running)", "0000000000000004", "0000000000004000")).isFalse();
	}

	@Test
	void aProcessWhoseMainThreadIsGoneIsExiting() {
		assertThat(exiting("Z (zombie)", NONE, NONE)).isTrue();
		assertThat(exiting("X (dead)", NONE, NONE)).isTrue();
	}

	@Test
	void aProcessWithSigkillPendingIsExiting() {
		assertThat(exiting("R (running)", NONE, "0000000000000100")).isTrue();
		assertThat(exiting("S (sleeping)", "0000000000004100", NONE)).isTrue();
	}

	// Whether a process with this state and these pending signals is exiting, by its status
	private static boolean exiting(String state, String threadPending, String processPending) {
		return ProcessWorkerHandle.isExiting(List.of("Name:\tjava", "State:\t" + state, "Tgid:\t42",
				"SigQ:\t0/95551", "SigPnd:\t" + threadPending, "ShdPnd:\t" + processPending, "SigBlk:\t" + NONE));
	}

}
