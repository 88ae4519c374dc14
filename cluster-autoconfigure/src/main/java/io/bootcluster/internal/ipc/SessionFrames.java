package io.bootcluster.internal.ipc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * HTTP sessions as the channel carries them between a worker and the master, which keeps
 * them. Attributes travel as the bytes the worker serialized them to (base64 in the
 * frame's JSON): the master stores them without ever reading them.
 */
public final class SessionFrames {

	// The entry, its map and its numbers; each attribute's entry and array
	private static final int SESSION_OVERHEAD = 160;

	private static final int ATTRIBUTE_OVERHEAD = 48;

	private SessionFrames() {
	}

	/**
	 * A session as the master keeps it.
	 *
	 * @param id the session's id
	 * @param creationTime when it was created, in epoch milliseconds
	 * @param lastAccessedTime when a request last used it, in epoch milliseconds
	 * @param maxInactiveSeconds how long it lives unused; negative for ever
	 * @param attributes each attribute's serialized value, by name
	 */
	public record StoredSession(String id, long creationTime, long lastAccessedTime, long maxInactiveSeconds,
			Map<String, byte[]> attributes) {

		public JsonNode toJson() {
			ObjectNode json = FrameCodec.mapper().createObjectNode();
			json.put("id", this.id)
				.put("created", this.creationTime)
				.put("accessed", this.lastAccessedTime)
				.put("maxInactive", this.maxInactiveSeconds);
			putAttributes(json.putObject("attributes"), this.attributes);
			return json;
		}

		public static StoredSession fromJson(JsonNode json) {
			return new StoredSession(text(json, "id"), json.path("created").asLong(), json.path("accessed").asLong(),
					json.path("maxInactive").asLong(), attributesOf(json.path("attributes")));
		}

	}

	/**
	 * What a worker changed in a session while serving a request: only the attributes it
	 * set or removed travel, not the whole session.
	 *
	 * @param id the session's id
	 * @param previousId the id it had before it was changed (as a login does), or
	 * {@code null}
	 * @param isNew whether the session was created by this request
	 * @param creationTime when it was created, in epoch milliseconds
	 * @param lastAccessedTime when the request used it, in epoch milliseconds
	 * @param maxInactiveSeconds how long it lives unused; negative for ever
	 * @param set the attributes set, serialized, by name
	 * @param removed the names of the attributes removed
	 */
	public record SessionChange(String id, @Nullable String previousId, boolean isNew, long creationTime,
			long lastAccessedTime, long maxInactiveSeconds, Map<String, byte[]> set, List<String> removed) {

		public JsonNode toJson() {
			ObjectNode json = FrameCodec.mapper().createObjectNode();
			json.put("id", this.id)
				.put("previousId", this.previousId)
				.put("new", this.isNew)
				.put("created", this.creationTime)
				.put("accessed", this.lastAccessedTime)
				.put("maxInactive", this.maxInactiveSeconds);
			putAttributes(json.putObject("set"), this.set);
			ArrayNode removed = json.putArray("removed");
			this.removed.forEach(removed::add);
			return json;
		}

		public static SessionChange fromJson(JsonNode json) {
			JsonNode previousId = json.path("previousId");
			List<String> removed = new ArrayList<>();
			json.path("removed").forEach((name) -> removed.add(name.asString()));
			return new SessionChange(text(json, "id"), previousId.isString() ? previousId.asString() : null,
					json.path("new").asBoolean(), json.path("created").asLong(), json.path("accessed").asLong(),
					json.path("maxInactive").asLong(), attributesOf(json.path("set")), removed);
		}

	}

	/**
	 * What a session takes in the master's memory, as the master counts it against the
	 * limits: its id, its attributes' names and bytes, and the room they take there.
	 * @param id the session's id
	 * @param attributes its attributes, serialized
	 * @return the size in bytes
	 */
	public static long size(String id, Map<String, byte[]> attributes) {
		long size = SESSION_OVERHEAD + 2L * id.length();
		for (Map.Entry<String, byte[]> attribute : attributes.entrySet()) {
			size += ATTRIBUTE_OVERHEAD + 2L * attribute.getKey().length() + attribute.getValue().length;
		}
		return size;
	}

	/**
	 * A request that names one session: to find or delete it.
	 * @param id the session's id
	 * @return the request's body
	 */
	public static JsonNode id(String id) {
		return FrameCodec.mapper().createObjectNode().put("id", id);
	}

	/**
	 * The session a request names.
	 * @param body the request's body
	 * @return the session's id
	 * @throws IllegalArgumentException if it names none
	 */
	public static String id(@Nullable JsonNode body) {
		return text((body != null) ? body : FrameCodec.mapper().missingNode(), "id");
	}

	private static void putAttributes(ObjectNode json, Map<String, byte[]> attributes) {
		attributes.forEach(json::put);
	}

	private static Map<String, byte[]> attributesOf(JsonNode json) {
		Map<String, byte[]> attributes = new LinkedHashMap<>();
		for (Map.Entry<String, JsonNode> attribute : json.properties()) {
			attributes.put(attribute.getKey(), attribute.getValue().binaryValue());
		}
		return attributes;
	}

	private static String text(JsonNode json, String field) {
		JsonNode value = json.path(field);
		if (!value.isString() || value.asString().isEmpty()) {
			throw new IllegalArgumentException("'" + field + "' must name a session");
		}
		return value.asString();
	}

}
