package io.bootcluster.session;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;

import io.bootcluster.internal.ipc.SessionFrames.SessionChange;
import io.bootcluster.internal.ipc.SessionFrames.StoredSession;
import org.junit.jupiter.api.Test;

import org.springframework.core.serializer.support.DeserializingConverter;
import org.springframework.core.serializer.support.SerializingConverter;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterSessionTests {

	private final Function<Object, byte[]> serializer = new SerializingConverter()::convert;

	private final Function<byte[], Object> deserializer = new DeserializingConverter(getClass().getClassLoader())::convert;

	@Test
	void aNewSessionIsSavedWhole() {
		ClusterSession session = new ClusterSession(Duration.ofMinutes(30), this.deserializer);
		session.setAttribute("user", "ada");
		SessionChange change = session.change(this.serializer);
		assertThat(change.isNew()).isTrue();
		assertThat(change.previousId()).isNull();
		assertThat(change.maxInactiveSeconds()).isEqualTo(1800);
		assertThat(change.set()).containsOnlyKeys("user");
		session.saved(change);
		assertThat(session.isNew()).isFalse();
		assertThat(session.change(this.serializer)).as("nothing left to save").isNull();
	}

	@Test
	void aFoundSessionReadsItsAttributesAndSendsOnlyWhatChanged() {
		ClusterSession session = found(Map.of("user", this.serializer.apply("ada"), "cart", this.serializer.apply(3)));
		assertThat((String) session.getAttribute("user")).isEqualTo("ada");
		Instant found = session.getLastAccessedTime();
		session.setLastAccessedTime(found.plusMillis(500));
		assertThat(session.change(this.serializer)).as("reading and using a session changes nothing to save")
			.isNull();
		session.setAttribute("cart", 4);
		session.removeAttribute("user");
		SessionChange change = session.change(this.serializer);
		assertThat(change.isNew()).isFalse();
		assertThat(change.set()).containsOnlyKeys("cart");
		assertThat(change.removed()).containsExactly("user");
		assertThat(session.getAttributeNames()).containsExactly("cart");
		assertThat(session.attributesAfter(change)).containsOnlyKeys("cart");
	}

	@Test
	void aSessionUsedLongerThanTheTouchIntervalAfterTheMasterLastSawItTellsTheMaster() {
		ClusterSession session = found(Map.of("user", this.serializer.apply("ada")));
		Instant used = session.getLastAccessedTime().plus(ClusterSession.TOUCH_INTERVAL).plusMillis(1);
		session.setLastAccessedTime(used);
		SessionChange touch = session.change(this.serializer);
		assertThat(touch.set()).isEmpty();
		assertThat(touch.removed()).isEmpty();
		assertThat(touch.lastAccessedTime()).isEqualTo(used.toEpochMilli());
		session.saved(touch);
		assertThat(session.change(this.serializer)).isNull();
		assertThat(session.storedAfter(touch).attributes()).containsOnlyKeys("user");
	}

	@Test
	void aChangedIdNamesTheOneTheMasterKnows() {
		ClusterSession session = found(Map.of());
		String before = session.getId();
		String after = session.changeSessionId();
		SessionChange change = session.change(this.serializer);
		assertThat(change.id()).isEqualTo(after).isNotEqualTo(before);
		assertThat(change.previousId()).isEqualTo(before);
		session.saved(change);
		assertThat(session.change(this.serializer)).isNull();
	}

	@Test
	void aNewMaxInactiveIntervalIsSaved() {
		ClusterSession session = found(Map.of());
		session.setMaxInactiveInterval(Duration.ofMinutes(30));
		assertThat(session.change(this.serializer)).as("the same interval").isNull();
		session.setMaxInactiveInterval(Duration.ofMinutes(5));
		assertThat(session.change(this.serializer).maxInactiveSeconds()).isEqualTo(300);
	}

	private ClusterSession found(Map<String, byte[]> attributes) {
		long now = System.currentTimeMillis();
		return new ClusterSession(new StoredSession("id-1", now, now, 1800, attributes), this.deserializer);
	}

}
