package io.bootcluster.internal.ipc;

import java.io.IOException;

/**
 * A frame that breaks the protocol: too large, or not a message. The connection that sent
 * it cannot be trusted to stay in sync and is closed.
 */
public class FrameException extends IOException {

	public FrameException(String message) {
		super(message);
	}

	public FrameException(String message, Throwable cause) {
		super(message, cause);
	}

}
