package io.bootcluster.worker;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

import io.bootcluster.ClusterLeadership;
import io.bootcluster.internal.ipc.Action;
import io.bootcluster.internal.ipc.AttachedPool;
import io.bootcluster.internal.ipc.ChannelAddress;
import io.bootcluster.internal.ipc.Connection;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.internal.ipc.PendingRequests;
import io.bootcluster.internal.ipc.QuietConnection;
import io.bootcluster.internal.ipc.WorkerIdentity;
import io.bootcluster.messaging.ChannelMessenger;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import sun.misc.Signal;
import sun.misc.SignalHandler;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.context.ApplicationEvent;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A worker's side of the cluster, as the application's beans see it: its id, whether it
 * is a standby, requests to the master and answers to the master's requests, the
 * application's messenger, failures to report. It puts together the worker's parts, each
 * with state of its own:
 * <ul>
 * <li>{@link MasterLink}: the handshake, the reader thread, sending;</li>
 * <li>{@link WorkerHeartbeat}: the heartbeat thread, recycling, replacement requests;</li>
 * <li>{@link WorkerDeparture}: leaving when the master asks, exiting when it is gone;</li>
 * <li>{@link Membership}: the members the master announces, for the messenger;</li>
 * <li>{@link WorkerPlace}: its slot, and a standby's activation;</li>
 * <li>{@link WorkerFailures}: what a failure it should not serve with leads to.</li>
 * </ul>
 * What the master sends is dispatched here, on the link's reader thread.
 */
public final class WorkerRuntime {

	private static final Log logger = LogFactory.getLog(WorkerRuntime.class);

	/** Reply routes a worker keeps at most: one per thread that asks at once. */
	private static final int REPLY_ROUTES = 8;

	private final int id;

	private final MasterLink link;

	private final WorkerHeartbeat heartbeat;

	private final WorkerDeparture departure;

	private final WorkerFailures failures;

	private final Membership membership = new Membership();

	private final WorkerLeadership leadership;

	private final MasterRequestHandlers requests;

	private volatile @Nullable ChannelMessenger messenger;

	private final WorkerPlace place;

	WorkerRuntime(int id, Path socket, WorkerOptions options, boolean standby, JvmEnd end) {
		this(id, socket, options, new WorkerPlace(standby, 0), end);
	}

	private WorkerRuntime(int id, Path socket, WorkerOptions options, WorkerPlace place, JvmEnd end) {
		this.id = id;
		this.place = place;
		this.link = new MasterLink(id, end);
		this.heartbeat = new WorkerHeartbeat(id, this.link, options);
		this.departure = new WorkerDeparture(id, socket, this.link, end);
		this.failures = new WorkerFailures(id, options.onUncaughtException(), this.heartbeat, this.departure);
		this.requests = new MasterRequestHandlers(id, this.link);
		this.requests.register(Action.WATCH_DEATH, DeathSentinel::start);
		this.leadership = new WorkerLeadership(id, () -> this.link.trySend(new Message.LeadershipReleased()));
		this.departure.beforeClose((reason) -> {
			ChannelMessenger messenger = this.messenger;
			if (messenger != null) {
				messenger.refuseFurther(reason);
			}
		});
	}

	/**
	 * Joins the master that started this JVM. The handshake runs on the channel's own
	 * thread while the application starts: a master busy forking other workers then holds
	 * no worker's startup up. Messages sent before it completes wait for it; a worker the
	 * master does not welcome exits.
	 * @param identity this process's identity as a worker, or {@code null}
	 * @param maxFrameSize the largest frame the channel accepts, in bytes
	 * @param options the worker's options
	 * @return the runtime, or {@code null} when this JVM is not a worker
	 * @throws IOException if this JVM was started as a worker without a channel to join
	 */
	public static @Nullable WorkerRuntime join(@Nullable WorkerIdentity identity, int maxFrameSize,
			WorkerOptions options) throws IOException {
		if (identity == null) {
			return null;
		}
		Path socket = identity.socket();
		if (socket == null) {
			throw new IOException(ChannelAddress.WORKER_ID_ENV + " is set but " + ChannelAddress.SOCKET_ENV
					+ " is not: workers are started by their master, not by hand");
		}
		WorkerRuntime runtime = new WorkerRuntime(identity.id(), socket, options,
				new WorkerPlace(identity.standby(), identity.slot()), JvmEnd.PROCESS);
		runtime.open(socket, () -> WorkerIdentity.readSecret(System.in), new FrameCodec(maxFrameSize));
		runtime.failures.reportUncaughtExceptions();
		return runtime;
	}

	// Joins the master on the link's own thread
	void open(Path socket, Callable<String> secret, FrameCodec codec) {
		this.link.open(socket, secret, codec, new Dispatcher());
	}

	/**
	 * Makes a worker's JVM ignore SIGINT and SIGHUP. Ctrl-C, or a closed terminal, reaches
	 * every process in the terminal's group: the master stops or restarts the workers in
	 * order, so a worker waits for the master's word instead of dying on the spot.
	 */
	public static void ignoreInterrupts() {
		for (String name : List.of("INT", "HUP")) {
			try {
				Signal.handle(new Signal(name), SignalHandler.SIG_IGN);
			}
			catch (IllegalArgumentException ex) {
				// No such signal here
			}
		}
	}

	/**
	 * This worker's id.
	 * @return the id
	 */
	public int id() {
		return this.id;
	}

	/**
	 * This worker's slot: its place in the cluster, from 0 to the number of workers less
	 * one, which its replacements inherit.
	 * @return the slot, or -1 for a standby that has not taken one over
	 */
	public int slot() {
		return this.place.slot();
	}

	/**
	 * Waits until the master has welcomed this worker. A worker that cannot join halts
	 * within the join's timeout.
	 * @return whether it joined
	 */
	public boolean awaitJoined() {
		return this.link.awaitJoined();
	}

	/**
	 * Whether this worker was started as a standby, to serve only once activated.
	 * @return whether it is a standby
	 */
	public boolean isStandby() {
		return this.place.isStandby();
	}

	/**
	 * Whether this worker is a standby the master has not activated yet: whatever it
	 * serves meanwhile is its own warm-up, not a client's.
	 * @return whether it waits to serve
	 */
	public boolean isWaitingToServe() {
		return this.place.isWaitingToServe();
	}

	/**
	 * What to do when the master activates this standby worker.
	 * @param activation the action
	 */
	public void onActivation(Runnable activation) {
		this.place.onActivation(activation);
	}

	/**
	 * Asks the master to do something.
	 * @param action what to do
	 * @param body the action's input
	 * @param timeout how long to wait for the answer
	 * @return the master's answer; fails with a
	 * {@link PendingRequests.RequestRejectedException} when the master refuses the request
	 */
	public CompletableFuture<JsonNode> request(Action action, JsonNode body, Duration timeout) {
		return this.link.request(action, body, timeout);
	}

	/**
	 * Opens a further connection to the master for requests the calling thread waits on:
	 * it sends a {@link io.bootcluster.internal.ipc.Message.Request} and reads the
	 * {@link io.bootcluster.internal.ipc.Message.Reply} itself, which saves the handovers
	 * between threads that {@link #request} takes. One thread at a time uses it.
	 * @return the connection, which the caller closes
	 * @throws IOException if this worker is not on its master's channel
	 */
	public Connection attach() throws IOException {
		return this.link.attach();
	}

	/**
	 * Opens this worker's quiet connection to the master, which the master reads only
	 * when it must: for the HTTP sessions the worker holds copies of.
	 * @return the connection, which the caller closes
	 * @throws IOException if this worker is not on its master's channel
	 */
	public QuietConnection attachQuiet() throws IOException {
		return this.link.attachQuiet();
	}

	/**
	 * Answers the master's requests for an action. Handlers run one at a time, off the
	 * channel's reader thread.
	 * @param action the action
	 * @param handler computes the answer from the request's input
	 */
	public void onRequest(Action action, Function<JsonNode, JsonNode> handler) {
		this.requests.register(action, handler);
	}

	/**
	 * Counts a request this worker served, for the master's view of the cluster.
	 */
	public void countRequest() {
		this.heartbeat.countRequest();
	}

	/**
	 * Gives the runtime the application's context, to be closed when the master asks.
	 * @param context the worker's application context
	 */
	public void attach(ConfigurableApplicationContext context) {
		this.place.attach(context);
		this.departure.attach(context);
		this.leadership.publishTo(context::publishEvent);
	}

	/**
	 * Whether this worker leads the cluster.
	 * @return the worker's leadership
	 */
	public ClusterLeadership leadership() {
		return this.leadership;
	}

	WorkerLeadership workerLeadership() {
		return this.leadership;
	}

	/**
	 * Creates the application's messenger, connected to the channel.
	 * @param publisher publishes the messages it receives as events
	 * @param payloads writes and reads the payloads: the application's mapper
	 * @return the messenger
	 */
	public ChannelMessenger createMessenger(Consumer<ApplicationEvent> publisher, ObjectMapper payloads) {
		ChannelMessenger messenger = new ChannelMessenger(this.id, this.link::send, publisher);
		messenger.usePayloadMapper(payloads);
		messenger.useReplyRoutes(new AttachedPool("reply", REPLY_ROUTES, this.link::attachReplyRoute));
		this.membership.subscribe(messenger::members);
		this.messenger = messenger;
		return messenger;
	}

	/**
	 * Reports a failure this worker should not keep serving with: an uncaught exception, or
	 * a {@link VirtualMachineError} while serving a request. What follows depends on
	 * {@code cluster.worker.on-uncaught-exception}.
	 * @param failure what happened
	 */
	public void failed(String failure) {
		this.failures.failed(failure);
	}

	/**
	 * Sends the master a message.
	 * @param message the message
	 * @throws IOException if the channel is closed
	 */
	void send(Message message) throws IOException {
		this.link.send(message);
	}

	/**
	 * Sends the master a message, if the channel is still open.
	 * @param message the message
	 * @return whether it went out
	 */
	boolean tell(Message message) {
		return this.link.trySend(message);
	}

	// A test's way in: the master welcomed this worker on this connection
	void connected(Connection connection) {
		this.link.connected(connection);
	}

	// Before its context has a messenger, a worker cannot take application messages
	private void notReady(Message.UserMessage message) {
		String reason = "worker " + this.id + " is still starting";
		logger.warn("Dropped '" + message.topic() + "' from " + ChannelMessenger.describe(message.from()) + ": " + reason);
		if (message.requestId() > 0) {
			tell(Message.UserReply.to(message, reason, null));
		}
	}

	/**
	 * What the master sends, dispatched on the link's reader thread.
	 */
	private final class Dispatcher implements MasterLink.Receiver {

		@Override
		public void joined(long masterPid) {
			WorkerRuntime.this.heartbeat.start(WorkerRuntime.this.departure::isLeaving);
			WorkerRuntime.this.departure.watchMaster(masterPid);
		}

		@Override
		public void received(Message message) {
			WorkerRuntime runtime = WorkerRuntime.this;
			ChannelMessenger messenger = runtime.messenger;
			if (message instanceof Message.Disconnect disconnect) {
				if (runtime.place.isWaitingToServe()) {
					runtime.departure.leaveWhileStarting(disconnect.reason());
				}
				runtime.departure.leave(disconnect.reason());
			}
			else if (message instanceof Message.Activate activate) {
				runtime.place.activate(activate.slot());
			}
			else if (message instanceof Message.Request request) {
				runtime.requests.answer(request);
			}
			else if (message instanceof Message.Leader leader) {
				runtime.leadership.announced(leader.worker());
			}
			else if (message instanceof Message.Members members) {
				runtime.membership.announced(members.workers());
			}
			else if (message instanceof Message.UserMessage userMessage) {
				if (messenger != null) {
					messenger.deliver(userMessage);
				}
				else {
					runtime.notReady(userMessage);
				}
			}
			else if (message instanceof Message.UserReply reply && messenger != null) {
				messenger.deliver(reply);
			}
			else {
				logger.debug("Ignored " + message.getClass().getSimpleName() + " from the master");
			}
		}

		@Override
		public void closed() {
			WorkerRuntime.this.leadership.dropped();
			ChannelMessenger messenger = WorkerRuntime.this.messenger;
			if (messenger != null) {
				messenger.closed("The channel to the master closed");
			}
			WorkerRuntime.this.departure.masterGone();
		}

	}

}
