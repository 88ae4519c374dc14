package io.bootcluster.master;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessWorkerHandleTests {

	@Test
	void aRunningProcessIsNotExiting() {
		assertThat(ProcessWorkerHandle.isExiting(status("S (sleeping)", "0000000000000000", "0000000000000000")))
			.isFalse();
		// SIGQUIT (3) and SIGTERM (15) pending: a thread dump, a graceful stop
		assertThat(ProcessWorkerHandle.isExiting(status("R (running)", "0000000000000004", "0000000000004000")))
			.isFalse();
	}

	@Test
	void aProcessWhoseMainThreadIsGoneIsExiting() {
		assertThat(ProcessWorkerHandle.isExiting(status("Z (zombie)", "0000000000000000", "0000000000000000")))
			.isTrue();
		assertThat(ProcessWorkerHandle.isExiting(status("X (dead)", "0000000000000000", "0000000000000000")))
			.isTrue();
	}

	@Test
	void aProcessWithSigkillPendingIsExiting() {
		assertThat(ProcessWorkerHandle.isExiting(status("R (running)", "0000000000000000", "0000000000000100")))
			.isTrue();
		assertThat(ProcessWorkerHandle.isExiting(status("S (sleeping)", "0000000000004100", "0000000000000000")))
			.isTrue();
	}

	private static List<String> status(String state, String threadPending, String processPending) {
		return List.of("Name:\tjava", "State:\t" + state, "Tgid:\t42", "SigQ:\t0/95551", "SigPnd:\t" + threadPending,
				"ShdPnd:\t" + processPending, "SigBlk:\t0000000000000000");
	}

}
