package io.bootcluster.internal.ipc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * Whether this process is a worker, from the environment its master gave it. Every process
 * a worker starts inherits that environment: a process whose master is an ancestor but not
 * its parent is such a descendant, and is no worker. The channel's secret is not in the
 * environment at all: the master writes it to the worker's standard input, which the
 * worker's own children do not share.
 *
 * @param id the worker's id
 * @param slot the worker's slot, or -1 for a standby until it takes one over
 * @param standby whether it starts as a standby
 * @param socket the master's socket, or {@code null} when the environment lacks it
 */
public record WorkerIdentity(int id, int slot, boolean standby, @Nullable Path socket) {

	/** Longest secret a worker reads from its standard input, in bytes. */
	private static final int MAX_SECRET = 256;

	/**
	 * This process's identity.
	 * @return the identity, or {@code null} when this process is not a worker
	 */
	public static @Nullable WorkerIdentity current() {
		return of(System.getenv(), ProcessHandle.current());
	}

	static @Nullable WorkerIdentity of(Map<String, String> environment, ProcessHandle process) {
		String id = environment.get(ChannelAddress.WORKER_ID_ENV);
		if (id == null || inherited(environment.get(ChannelAddress.MASTER_PID_ENV), process)) {
			return null;
		}
		int workerId;
		int slot;
		try {
			workerId = Integer.parseInt(id.trim());
			String slotValue = environment.get(ChannelAddress.WORKER_SLOT_ENV);
			slot = (slotValue != null) ? Integer.parseInt(slotValue.trim()) : -1;
		}
		catch (NumberFormatException ex) {
			return null;
		}
		String socket = environment.get(ChannelAddress.SOCKET_ENV);
		return new WorkerIdentity(workerId, slot, Boolean.parseBoolean(environment.get(ChannelAddress.STANDBY_ENV)),
				(socket != null) ? Path.of(socket) : null);
	}

	// The master is further up than the parent: a worker started this process. A worker
	// whose master is gone has no master among its ancestors, and is still a worker: it
	// fails to join and exits, as it must
	private static boolean inherited(@Nullable String masterPid, ProcessHandle process) {
		if (masterPid == null) {
			return false;
		}
		Optional<ProcessHandle> parent = process.parent();
		if (parent.isEmpty() || Long.toString(parent.get().pid()).equals(masterPid)) {
			return false;
		}
		Optional<ProcessHandle> ancestor = parent.get().parent();
		while (ancestor.isPresent()) {
			if (Long.toString(ancestor.get().pid()).equals(masterPid)) {
				return true;
			}
			ancestor = ancestor.get().parent();
		}
		return false;
	}

	/**
	 * Reads the secret the master wrote to this worker's standard input: one line.
	 * @param input the standard input
	 * @return the secret
	 * @throws IOException if there is none
	 */
	public static String readSecret(InputStream input) throws IOException {
		byte[] secret = new byte[MAX_SECRET];
		int length = 0;
		int next;
		while ((next = input.read()) != -1 && next != '\n') {
			if (length == MAX_SECRET) {
				throw new IOException("The secret on standard input is longer than " + MAX_SECRET + " bytes");
			}
			secret[length++] = (byte) next;
		}
		if (length == 0) {
			throw new IOException("No secret on standard input: workers are started by their master, not by hand");
		}
		return new String(secret, 0, length, StandardCharsets.UTF_8);
	}

}
