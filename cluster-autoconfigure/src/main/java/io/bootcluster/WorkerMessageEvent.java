package io.bootcluster;

import tools.jackson.databind.JsonNode;

/**
 * A worker sent the master a message.
 */
public class WorkerMessageEvent extends ClusterWorkerEvent {

	private final String topic;

	private final JsonNode payload;

	public WorkerMessageEvent(Cluster cluster, WorkerSnapshot worker, String topic, JsonNode payload) {
		super(cluster, worker);
		this.topic = topic;
		this.payload = payload;
	}

	/**
	 * The message's topic.
	 * @return the topic
	 */
	public String getTopic() {
		return this.topic;
	}

	/**
	 * The message's payload, as JSON.
	 * @return the payload
	 */
	public JsonNode getPayload() {
		return this.payload;
	}

}
