package io.bootcluster.ipc;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import tools.jackson.databind.JsonNode;

/**
 * A message on the channel. Each frame carries exactly one, tagged by its {@code type}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({ @JsonSubTypes.Type(value = Message.Hello.class, name = "hello"),
		@JsonSubTypes.Type(value = Message.Welcome.class, name = "welcome"),
		@JsonSubTypes.Type(value = Message.Listening.class, name = "listening"),
		@JsonSubTypes.Type(value = Message.Disconnect.class, name = "disconnect"),
		@JsonSubTypes.Type(value = Message.UserMessage.class, name = "message") })
public sealed interface Message {

	/**
	 * First frame from a worker: who it is and the cluster's secret. Nothing else is
	 * accepted before it.
	 * @param workerId the id the master gave the worker
	 * @param pid the worker's process id
	 * @param secret the cluster's secret
	 */
	record Hello(int workerId, long pid, String secret) implements Message {

		@Override
		public String toString() {
			return "Hello[workerId=" + this.workerId + ", pid=" + this.pid + "]";
		}

	}

	/**
	 * The master's answer to an accepted {@link Hello}.
	 * @param masterPid the master's process id
	 */
	record Welcome(long masterPid) implements Message {
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

	/**
	 * Application data on a named topic.
	 * @param topic the topic
	 * @param payload the payload
	 */
	record UserMessage(String topic, JsonNode payload) implements Message {
	}

}
