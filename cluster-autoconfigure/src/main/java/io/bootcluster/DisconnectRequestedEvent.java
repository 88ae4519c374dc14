package io.bootcluster;

import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEvent;

/**
 * Published in a worker's application context when the master asks the worker to go.
 * The context is closed right after, gracefully: listeners can finish or hand off work.
 */
public class DisconnectRequestedEvent extends ApplicationEvent {

	private final String reason;

	public DisconnectRequestedEvent(ApplicationContext context, String reason) {
		super(context);
		this.reason = reason;
	}

	/**
	 * Why the master asked the worker to go.
	 * @return the reason
	 */
	public String getReason() {
		return this.reason;
	}

}
