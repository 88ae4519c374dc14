package io.bootcluster.master;

/**
 * The port the workers are to share is already taken. With {@code SO_REUSEPORT} the
 * workers would join whatever holds it and split its traffic, so the master refuses to
 * start.
 */
public class PortTakenException extends RuntimeException {

	private final int port;

	public PortTakenException(int port, Throwable cause) {
		super("Port " + port + " is already in use", cause);
		this.port = port;
	}

	public int getPort() {
		return this.port;
	}

}
