package io.bootcluster.session;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import io.bootcluster.internal.ipc.SessionFrames.SessionChange;
import io.bootcluster.internal.ipc.SessionFrames.StoredSession;
import org.jspecify.annotations.Nullable;

import org.springframework.session.Session;

/**
 * An HTTP session whose home is the master, as one request in a worker sees it. The
 * attributes it was found with stay serialized until the request reads them; the ones the
 * request sets or removes are what {@link #change} sends back.
 * <p>
 * Like any session of Spring Session, an instance belongs to the request that found or
 * created it: it is not thread-safe. An attribute's object changed in place, without
 * {@link #setAttribute}, is not saved, as with Spring Session's Redis and JDBC stores.
 */
public final class ClusterSession implements Session {

	/**
	 * How long a session may be used without a change before the master is told, so that
	 * it expires the session no earlier than the worker would.
	 */
	static final Duration TOUCH_INTERVAL = Duration.ofSeconds(1);

	private final Instant creationTime;

	private final Function<byte[], Object> deserializer;

	// Serialized as the master keeps them; an attribute leaves once set or removed here
	private final Map<String, byte[]> stored;

	private final Map<String, Object> values = new HashMap<>();

	private final Set<String> changed = new HashSet<>();

	private String id;

	// The id the master knows the session by; null until it is saved
	private @Nullable String savedId;

	private Instant lastAccessedTime;

	// When the master last took note of a use
	private Instant lastAccessedTimeSaved;

	private Duration maxInactiveInterval;

	private boolean maxInactiveIntervalChanged;

	ClusterSession(Duration maxInactiveInterval, Function<byte[], Object> deserializer) {
		this.id = newId();
		this.creationTime = Instant.now();
		this.lastAccessedTime = this.creationTime;
		this.lastAccessedTimeSaved = this.creationTime;
		this.maxInactiveInterval = maxInactiveInterval;
		this.deserializer = deserializer;
		this.stored = new HashMap<>();
	}

	ClusterSession(StoredSession session, Function<byte[], Object> deserializer) {
		this.id = session.id();
		this.savedId = session.id();
		this.creationTime = Instant.ofEpochMilli(session.creationTime());
		this.lastAccessedTime = Instant.ofEpochMilli(session.lastAccessedTime());
		this.lastAccessedTimeSaved = this.lastAccessedTime;
		this.maxInactiveInterval = Duration.ofSeconds(session.maxInactiveSeconds());
		this.deserializer = deserializer;
		this.stored = new HashMap<>(session.attributes());
	}

	private static String newId() {
		return UUID.randomUUID().toString();
	}

	@Override
	public String getId() {
		return this.id;
	}

	@Override
	public String changeSessionId() {
		this.id = newId();
		return this.id;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> @Nullable T getAttribute(String name) {
		Object value = this.values.get(name);
		if (value == null) {
			byte[] bytes = this.stored.get(name);
			if (bytes != null) {
				value = this.deserializer.apply(bytes);
				this.values.put(name, value);
			}
		}
		return (T) value;
	}

	@Override
	public Set<String> getAttributeNames() {
		Set<String> names = new HashSet<>(this.stored.keySet());
		names.addAll(this.values.keySet());
		return names;
	}

	@Override
	public void setAttribute(String name, @Nullable Object value) {
		if (value == null) {
			removeAttribute(name);
			return;
		}
		this.values.put(name, value);
		this.stored.remove(name);
		this.changed.add(name);
	}

	@Override
	public void removeAttribute(String name) {
		this.values.remove(name);
		this.stored.remove(name);
		this.changed.add(name);
	}

	@Override
	public Instant getCreationTime() {
		return this.creationTime;
	}

	@Override
	public void setLastAccessedTime(Instant lastAccessedTime) {
		// The master marks a session used when it is found; of a use served from a copy it
		// learns at most a second late (see change)
		this.lastAccessedTime = lastAccessedTime;
	}

	@Override
	public Instant getLastAccessedTime() {
		return this.lastAccessedTime;
	}

	@Override
	public void setMaxInactiveInterval(Duration interval) {
		this.maxInactiveIntervalChanged |= !interval.equals(this.maxInactiveInterval);
		this.maxInactiveInterval = interval;
	}

	@Override
	public Duration getMaxInactiveInterval() {
		return this.maxInactiveInterval;
	}

	@Override
	public boolean isExpired() {
		return !this.maxInactiveInterval.isNegative()
				&& Instant.now().minus(this.maxInactiveInterval).compareTo(this.lastAccessedTime) >= 0;
	}

	/**
	 * Whether the master knows nothing of this session yet.
	 * @return whether it was created by this request and not saved
	 */
	boolean isNew() {
		return this.savedId == null;
	}

	/**
	 * What the master must learn of this session.
	 * @param serializer serializes an attribute's value
	 * @return the change, or {@code null} when the master already has it all
	 */
	@Nullable SessionChange change(Function<Object, byte[]> serializer) {
		boolean idChanged = !this.id.equals(this.savedId);
		boolean unknownUse = this.lastAccessedTime.isAfter(this.lastAccessedTimeSaved.plus(TOUCH_INTERVAL));
		if (!idChanged && this.changed.isEmpty() && !this.maxInactiveIntervalChanged && !unknownUse) {
			return null;
		}
		Map<String, byte[]> set = new LinkedHashMap<>();
		List<String> removed = new ArrayList<>();
		for (String name : this.changed) {
			Object value = this.values.get(name);
			if (value != null) {
				set.put(name, serializer.apply(value));
			}
			else {
				removed.add(name);
			}
		}
		return new SessionChange(this.id, (isNew() || !idChanged) ? null : this.savedId, isNew(),
				this.creationTime.toEpochMilli(), this.lastAccessedTime.toEpochMilli(),
				this.maxInactiveInterval.toSeconds(), set, removed);
	}

	/**
	 * The attributes the master will hold once a change is saved, serialized, for their
	 * size.
	 * @param change the change
	 * @return every attribute's bytes
	 */
	Map<String, byte[]> attributesAfter(SessionChange change) {
		Map<String, byte[]> all = new HashMap<>(this.stored);
		all.putAll(change.set());
		return all;
	}

	/**
	 * The session as the master keeps it once a change is saved.
	 * @param change the change
	 * @return the session
	 */
	StoredSession storedAfter(SessionChange change) {
		return new StoredSession(this.id, this.creationTime.toEpochMilli(), this.lastAccessedTime.toEpochMilli(),
				this.maxInactiveInterval.toSeconds(), Map.copyOf(attributesAfter(change)));
	}

	/**
	 * Takes note that the master has a change: what follows is measured from it.
	 * @param change the change
	 */
	void saved(SessionChange change) {
		this.savedId = this.id;
		this.lastAccessedTimeSaved = this.lastAccessedTime;
		this.stored.putAll(change.set());
		this.changed.clear();
		this.maxInactiveIntervalChanged = false;
	}

}
