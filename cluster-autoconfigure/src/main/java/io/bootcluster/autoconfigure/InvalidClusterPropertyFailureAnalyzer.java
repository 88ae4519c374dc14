package io.bootcluster.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an {@link InvalidClusterPropertyException}: which property, what it holds, and
 * what it accepts.
 */
class InvalidClusterPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidClusterPropertyException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidClusterPropertyException cause) {
		String description = "The cluster could not start: property '" + cause.getProperty() + "' is set to '"
				+ cause.getValue() + "', which it does not accept. No worker was started.";
		String action = "Set " + cause.getProperty() + " to " + cause.getAccepted()
				+ ", in application.yml, as a --" + cause.getProperty() + "=... argument or in the environment."
				+ (cause.getProperty().equals("cluster.workers")
						? " Remove it, or set cluster.enabled=false, to run the application as a single process." : "");
		return new FailureAnalysis(description, action, cause);
	}

}
