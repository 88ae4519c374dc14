package io.bootcluster.autoconfigure;

import io.bootcluster.master.PortTakenException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link PortTakenException}.
 */
class PortTakenFailureAnalyzer extends AbstractFailureAnalyzer<PortTakenException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, PortTakenException cause) {
		return new FailureAnalysis("The cluster could not start: port " + cause.getPort()
				+ " is already in use. Its workers would have shared it with whatever holds it. No worker was started.",
				"Stop the process that listens on port " + cause.getPort()
						+ " (another instance of this application, perhaps), or set server.port to a free port.",
				cause);
	}

}
