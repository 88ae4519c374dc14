package io.bootcluster;

/**
 * Where a worker is in its life. A worker only moves forward through these states, though
 * it may skip some: a worker that crashes while booting goes from {@link #FORKED} or
 * {@link #ONLINE} straight on.
 */
public enum WorkerState {

	/** The process has been started. */
	FORKED,

	/** The worker's JVM has joined the master's channel. */
	ONLINE,

	/** The worker's web server is bound to the shared port. */
	LISTENING,

	/** The channel to the worker is closed. */
	DISCONNECTED,

	/** The process has ended. */
	DEAD

}
