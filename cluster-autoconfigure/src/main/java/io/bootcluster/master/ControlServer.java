package io.bootcluster.master;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Semaphore;

import io.bootcluster.internal.control.ControlChannel;
import io.bootcluster.internal.control.MasterRegistry;
import io.bootcluster.internal.ipc.Action;
import io.bootcluster.internal.ipc.DaemonThreads;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.UserDirectory;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The master's control socket, for its user's command line
 * ({@code java -Djarmode=cluster -jar app.jar status}). It lies in the channel's
 * directory, which only the master's user may enter, and answers that user only: the
 * peer's credentials are checked too. A connection carries one request,
 * {@code {"action": ...}} with the action's input, answered as the master's endpoint
 * answers it, on a thread of its own, so a client that stalls holds up no other. The
 * master is listed in the {@link MasterRegistry} while the socket serves. Its state is
 * set once; connections are counted by a semaphore.
 */
final class ControlServer implements Closeable {

	private static final Log logger = LogFactory.getLog(ControlServer.class);

	private static final Set<Action> ACTIONS = EnumSet.of(Action.STATUS, Action.RESTART, Action.SCALE, Action.STOP);

	private static final Duration REQUEST_DEADLINE = Duration.ofSeconds(5);

	private static final int CONNECTIONS = 4;

	private final ServerSocketChannel server;

	private final Path socket;

	private final Path registration;

	private final UserPrincipal owner;

	private final Supervisor supervisor;

	private final Semaphore connections = new Semaphore(CONNECTIONS);

	private ControlServer(ServerSocketChannel server, Path socket, Path registration, UserPrincipal owner,
			Supervisor supervisor) {
		this.server = server;
		this.socket = socket;
		this.registration = registration;
		this.owner = owner;
		this.supervisor = supervisor;
	}

	/**
	 * Serves the control socket and lists this master among the running ones.
	 * @param directory the channel's directory, only the master's user may enter it
	 * @param port the port the workers share
	 * @param supervisor the supervisor that answers
	 * @return the server, or {@code null} when the master cannot be listed
	 */
	static @Nullable ControlServer start(Path directory, int port, Supervisor supervisor) {
		return start(directory, port, supervisor, UserDirectory.root());
	}

	static @Nullable ControlServer start(Path directory, int port, Supervisor supervisor, Path registry) {
		Path socket = directory.resolve("control.sock");
		ServerSocketChannel server = null;
		try {
			server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
			server.bind(UnixDomainSocketAddress.of(socket));
			Path registration = MasterRegistry.register(registry, port, socket);
			ControlServer control = new ControlServer(server, socket, registration, Files.getOwner(directory),
					supervisor);
			DaemonThreads.start("cluster-control", control::accept);
			return control;
		}
		catch (IOException ex) {
			logger.warn("The cluster's command line (-Djarmode=cluster) cannot find this master: " + ex.getMessage());
			if (server != null) {
				close(server);
			}
			return null;
		}
	}

	private void accept() {
		while (this.server.isOpen()) {
			SocketChannel channel;
			try {
				channel = this.server.accept();
			}
			catch (IOException ex) {
				return;
			}
			if (!this.connections.tryAcquire()) {
				answer(channel, error("The master is answering " + CONNECTIONS + " other commands: try again"));
				close(channel);
				continue;
			}
			try {
				DaemonThreads.start("cluster-control-command", () -> {
					try {
						serve(channel);
					}
					finally {
						close(channel);
						this.connections.release();
					}
				});
			}
			catch (RuntimeException | Error ex) {
				close(channel);
				this.connections.release();
			}
		}
	}

	private void serve(SocketChannel channel) {
		try {
			UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
			if (!peer.user().equals(this.owner)) {
				answer(channel, error("Only " + this.owner.getName() + " may command this cluster"));
				return;
			}
			JsonNode request = ControlChannel.read(channel, ControlChannel.MAX_REQUEST, REQUEST_DEADLINE);
			answer(channel, execute(request));
		}
		catch (IOException | UnsupportedOperationException ex) {
			logger.debug("A command on the control socket failed", ex);
		}
	}

	private JsonNode execute(JsonNode request) {
		JsonNode name = request.get("action");
		Action action = (name != null && name.isString()) ? Action.of(name.asString()) : null;
		if (action == null || !ACTIONS.contains(action)) {
			return error("Unknown action " + name + ": expected status, restart, scale or stop");
		}
		try {
			return this.supervisor.call(() -> this.supervisor.requests().execute(action, request));
		}
		catch (IllegalArgumentException | IllegalStateException ex) {
			return error(ex.getMessage());
		}
	}

	private static void answer(SocketChannel channel, JsonNode answer) {
		try {
			ControlChannel.write(channel, answer);
		}
		catch (IOException ex) {
			// The client went away: nobody to tell
		}
	}

	private static JsonNode error(@Nullable String message) {
		return FrameCodec.mapper().createObjectNode().put("error", message);
	}

	@Override
	public void close() {
		close(this.server);
		try {
			Files.deleteIfExists(this.registration);
			Files.deleteIfExists(this.socket);
		}
		catch (IOException ex) {
			// Passed over by the command line once this process is gone
		}
	}

	private static void close(Channel channel) {
		try {
			channel.close();
		}
		catch (IOException ex) {
			// Closed already
		}
	}

}
