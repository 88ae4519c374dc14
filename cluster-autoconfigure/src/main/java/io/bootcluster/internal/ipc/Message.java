package io.bootcluster.internal.ipc;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A message on the channel. Each frame carries exactly one, tagged by its {@code type}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({ @JsonSubTypes.Type(value = Message.Hello.class, name = "hello"),
		@JsonSubTypes.Type(value = Message.Attach.class, name = "attach"),
		@JsonSubTypes.Type(value = Message.Welcome.class, name = "welcome"),
		@JsonSubTypes.Type(value = Message.Listening.class, name = "listening"),
		@JsonSubTypes.Type(value = Message.Disconnect.class, name = "disconnect"),
		@JsonSubTypes.Type(value = Message.UserMessage.class, name = "message"),
		@JsonSubTypes.Type(value = Message.UserReply.class, name = "message-reply"),
		@JsonSubTypes.Type(value = Message.Members.class, name = "members"),
		@JsonSubTypes.Type(value = Message.Heartbeat.class, name = "heartbeat"),
		@JsonSubTypes.Type(value = Message.Ready.class, name = "ready"),
		@JsonSubTypes.Type(value = Message.StandbyReady.class, name = "standby-ready"),
		@JsonSubTypes.Type(value = Message.Activate.class, name = "activate"),
		@JsonSubTypes.Type(value = Message.ReplaceMe.class, name = "replace-me"),
		@JsonSubTypes.Type(value = Message.Request.class, name = "request"),
		@JsonSubTypes.Type(value = Message.Reply.class, name = "reply"),
		@JsonSubTypes.Type(value = Message.Leader.class, name = "leader"),
		@JsonSubTypes.Type(value = Message.LeadershipReleased.class, name = "leadership-released") })
public sealed interface Message {

	/**
	 * First frame from a worker: who it is and the cluster's secret. Nothing else is
	 * accepted before it.
	 * @param workerId the id the master gave the worker
	 * @param pid the worker's process id
	 * @param secret the cluster's secret
	 */
	record Hello(int workerId, long pid, @Nullable String secret) implements Message {

		@Override
		public String toString() {
			return "Hello[workerId=" + this.workerId + ", pid=" + this.pid + "]";
		}

	}

	/**
	 * First frame of a further connection from a worker that joined: one on which the
	 * worker asks and the master answers in turn, the asking thread reading the answer
	 * itself; when {@code quiet}, the one on which the worker sends the changes to the
	 * sessions it holds copies of, read by the master only when it must, and reads the
	 * master's revocations of those copies; or, with a {@code replyRoute}, one on which the
	 * worker sends nothing and reads the answers to the requests that name that route
	 * ({@link UserMessage#via()}). Nothing else is accepted before it.
	 * @param workerId the worker's id
	 * @param pid the worker's process id
	 * @param secret the cluster's secret
	 * @param quiet whether it is the worker's quiet connection
	 * @param replyRoute the route's id among the worker's, or 0 when it is no reply route
	 */
	record Attach(int workerId, long pid, @Nullable String secret, boolean quiet,
			@LaterField long replyRoute) implements Message {

		public Attach(int workerId, long pid, @Nullable String secret, boolean quiet) {
			this(workerId, pid, secret, quiet, 0);
		}

		@Override
		public String toString() {
			return "Attach[workerId=" + this.workerId + ", pid=" + this.pid + "]";
		}

	}

	/**
	 * The master's answer to an accepted {@link Hello} or {@link Attach}.
	 * @param masterPid the master's process id
	 * @param replyRoute whether the master writes answers on this connection: a master
	 * that predates reply routes leaves it out, and the worker then asks on its main
	 * channel
	 */
	record Welcome(long masterPid, @LaterField boolean replyRoute) implements Message {

		public Welcome(long masterPid) {
			this(masterPid, false);
		}

	}

	/**
	 * A worker's web server is bound.
	 * @param host the address it is bound to
	 * @param port the port it is bound to
	 * @param reusePort whether the listening socket really has {@code SO_REUSEPORT}
	 */
	record Listening(String host, int port, boolean reusePort) implements Message {
	}

	/**
	 * The master asks a worker to stop serving and exit.
	 * @param reason why, for the worker's log
	 */
	record Disconnect(String reason) implements Message {
	}

	/** Destination of a message to the master. */
	int MASTER = 0;

	/** Destination of a message to every worker but its sender. */
	int ALL_WORKERS = -1;

	/**
	 * Application data on a named topic, relayed by the master between workers.
	 * @param topic the topic
	 * @param payload the payload
	 * @param from the sender: {@link #MASTER} or a worker id
	 * @param to the destination: {@link #MASTER}, a worker id or {@link #ALL_WORKERS}
	 * @param requestId the sender's id for the request, to be answered with a
	 * {@link UserReply}; 0 when no answer is expected
	 * @param via the sender's reply route for the answer, or 0 for its main channel
	 */
	record UserMessage(String topic, JsonNode payload, int from, int to, long requestId,
			@LaterField long via) implements Message {

		public UserMessage(String topic, JsonNode payload, int from, int to, long requestId) {
			this(topic, payload, from, to, requestId, 0);
		}

	}

	/**
	 * The answer to a {@link UserMessage} that expected one.
	 * @param requestId the request's id
	 * @param to the requester: {@link #MASTER} or a worker id
	 * @param error why there is no answer, or {@code null}
	 * @param payload the answer, or {@code null}
	 * @param via the request's {@link UserMessage#via()}: the requester's reply route it
	 * goes on, or 0 for its main channel
	 */
	record UserReply(long requestId, int to, @Nullable String error, @Nullable JsonNode payload,
			@LaterField long via) implements Message {

		/**
		 * The answer to a request, on the route the request named.
		 * @param request the request
		 * @param error why there is no answer, or {@code null}
		 * @param payload the answer, or {@code null}
		 * @return the answer
		 */
		public static UserReply to(UserMessage request, @Nullable String error, @Nullable JsonNode payload) {
			return new UserReply(request.requestId(), request.from(), error, payload, request.via());
		}

	}

	/**
	 * The workers on the channel, sent to every worker whenever it changes.
	 * @param workers their ids
	 */
	record Members(java.util.List<Integer> workers) implements Message {
	}

	/**
	 * A worker's periodic sign of life, with what the master reports about it.
	 * @param heapUsed heap in use, in bytes
	 * @param heapMax heap limit, in bytes
	 * @param cpu the process's recent CPU load, from 0 to 1, or -1 when unknown
	 * @param requests requests served so far
	 */
	record Heartbeat(long heapUsed, long heapMax, double cpu, long requests) implements Message {
	}

	/**
	 * Asks the peer to do something and answer with a {@link Reply} of the same id.
	 * @param id the correlation id, unique per sender
	 * @param action what to do
	 * @param body the action's input, or {@code null}
	 */
	record Request(long id, String action, @Nullable JsonNode body) implements Message {
	}

	/**
	 * Answers a {@link Request}.
	 * @param id the request's correlation id
	 * @param error why the request failed, or {@code null} when it succeeded
	 * @param body the result, or {@code null}
	 */
	record Reply(long id, @Nullable String error, @Nullable JsonNode body) implements Message {
	}

	/**
	 * A worker's readiness changed: whether its application accepts traffic.
	 * @param accepting whether its readiness state is {@code ACCEPTING_TRAFFIC}
	 */
	record Ready(boolean accepting) implements Message {
	}

	/**
	 * A worker asks to be replaced: it is still serving, but should not for long (an
	 * uncaught exception, too many requests, too much heap after GC). The master starts
	 * its successor, and retires it once the successor is ready.
	 * @param reason why, for the master's log
	 */
	record ReplaceMe(String reason) implements Message {
	}

	/**
	 * A standby worker's application is started, all but its web server: it waits for
	 * {@link Activate}.
	 * @param workerId the worker's id
	 */
	record StandbyReady(int workerId) implements Message {
	}

	/**
	 * The master makes a standby worker take over: it binds the shared port and serves.
	 * @param reason why, for the worker's log
	 * @param slot the slot it takes over
	 */
	record Activate(String reason, int slot) implements Message {
	}

	/**
	 * Which worker leads the cluster now, sent to every worker on each change.
	 * @param worker the leader's id, or 0 while none leads
	 */
	record Leader(int worker) implements Message {
	}

	/**
	 * The worker that led has stopped acting as the leader: no task it ran as the leader
	 * still runs. The master grants leadership to no one else before this, or before that
	 * worker's process is gone.
	 */
	record LeadershipReleased() implements Message {
	}

}
