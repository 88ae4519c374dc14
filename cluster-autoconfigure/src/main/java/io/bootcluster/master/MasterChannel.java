package io.bootcluster.master;

import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

import io.bootcluster.internal.ipc.ChannelServer;
import io.bootcluster.internal.ipc.Connection;
import io.bootcluster.internal.ipc.Message;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The master's end of the channel: who may join, and where each message a worker sends
 * goes. Application messages are relayed at once on the reader thread that read them, and
 * requests for HTTP sessions handed to {@link SessionChannels}, which also takes over the
 * further connections workers attach for them (but for the reply routes workers read
 * answers on, which the {@link MessageRouter} writes); all others become tasks on the
 * supervisor's loop, in the order they were sent.
 */
final class MasterChannel implements ChannelServer.Handler {

	private static final Log logger = LogFactory.getLog(MasterChannel.class);

	private final WorkerLifecycle lifecycle;

	private final Loop loop;

	private final WorkerTable workers;

	private final MessageRouter router;

	private final HeartbeatWatch heartbeats;

	private final MasterRequests requests;

	private final SessionChannels sessionChannels;

	MasterChannel(WorkerLifecycle lifecycle, Loop loop, WorkerTable workers, MessageRouter router,
			HeartbeatWatch heartbeats, MasterRequests requests, SessionChannels sessionChannels) {
		this.lifecycle = lifecycle;
		this.loop = loop;
		this.workers = workers;
		this.router = router;
		this.heartbeats = heartbeats;
		this.requests = requests;
		this.sessionChannels = sessionChannels;
	}

	@Override
	public boolean accept(Connection connection, Message.Hello hello) {
		return this.loop.call(() -> {
			WorkerProcess worker = this.workers.get(hello.workerId());
			if (worker == null || worker.handle.pid() != hello.pid()
					|| worker.life.phase() != WorkerLife.Phase.FORKED) {
				logger.warn("Refused a channel connection from pid " + hello.pid() + " claiming to be worker "
						+ hello.workerId() + ": no such worker is waiting to join");
				return false;
			}
			if (!connection.trySend(new Message.Welcome(ProcessHandle.current().pid()))) {
				return false;
			}
			this.lifecycle.joined(worker, connection);
			return true;
		});
	}

	@Override
	public @Nullable Consumer<SocketChannel> attach(Message.Attach attach) {
		boolean joined = this.loop.call(() -> {
			WorkerProcess worker = this.workers.get(attach.workerId());
			return worker != null && worker.handle.pid() == attach.pid() && worker.life.isConnected();
		});
		if (!joined) {
			logger.warn("Refused a further channel connection from pid " + attach.pid() + " claiming to be worker "
					+ attach.workerId() + ": no such worker is on the channel");
			return null;
		}
		if (attach.replyRoute() > 0) {
			return (channel) -> this.router.addReplyRoute(attach.workerId(), attach.replyRoute(), channel);
		}
		return (channel) -> this.sessionChannels.add(channel, attach.workerId(), attach.quiet());
	}

	@Override
	public void received(Connection connection, Message message) {
		// The supervisor's loop never waits on a worker's socket, nor a request on the loop
		if (this.router.relay(connection, message) || this.sessionChannels.submit(connection, message)) {
			return;
		}
		this.loop.execute(() -> {
			WorkerProcess worker = this.workers.get(connection);
			if (worker == null) {
				return;
			}
			try {
				dispatch(worker, connection, message);
			}
			catch (IllegalStateException ex) {
				// A worker that breaks the protocol does not break the supervisor
				logger.warn("Ignored " + message.getClass().getSimpleName() + " from " + worker + ": "
						+ ex.getMessage());
			}
		});
	}

	private void dispatch(WorkerProcess worker, Connection connection, Message message) {
		if (message instanceof Message.Heartbeat heartbeat) {
			this.heartbeats.heard(worker, heartbeat);
		}
		else if (message instanceof Message.Listening listening) {
			this.lifecycle.listening(worker, listening);
		}
		else if (message instanceof Message.Ready ready) {
			this.lifecycle.readiness(worker, ready.accepting());
		}
		else if (message instanceof Message.StandbyReady) {
			this.lifecycle.waiting(worker);
		}
		else if (message instanceof Message.LeadershipReleased) {
			this.lifecycle.released(worker);
		}
		else if (message instanceof Message.ReplaceMe replaceMe) {
			this.lifecycle.replaceAsked(worker, replaceMe.reason());
		}
		else if (message instanceof Message.Request request) {
			this.requests.handle(connection, request);
		}
		else if (message instanceof Message.Reply reply) {
			this.requests.complete(connection, reply);
		}
		else {
			logger.warn("Ignored an unexpected " + message.getClass().getSimpleName() + " from " + worker);
		}
	}

	@Override
	public void closed(Connection connection) {
		this.loop.execute(() -> {
			WorkerProcess worker = this.workers.unbind(connection);
			if (worker != null && worker.life.isConnected()) {
				this.lifecycle.exits().disconnected(worker);
			}
		});
	}

}
