package io.bootcluster.master;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.bootcluster.internal.ipc.SessionFrames;
import io.bootcluster.internal.ipc.SessionFrames.SessionChange;
import io.bootcluster.internal.ipc.SessionFrames.StoredSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@ExtendWith(OutputCaptureExtension.class)
class SessionStoreTests {

	private final AtomicLong now = new AtomicLong(1_000_000);

	private final List<String> ended = new ArrayList<>();

	private final SessionStore store = new SessionStore(1024 * 1024, 64 * 1024, this.now::get, this.ended::add);

	@Test
	void aSavedSessionIsFoundWithItsAttributesAndMarkedUsed() {
		this.store.save(created("a", Map.of("user", bytes(10)), 1800));
		this.now.addAndGet(5000);
		StoredSession found = this.store.find("a");
		assertThat(found).isNotNull();
		assertThat(found.attributes()).containsOnlyKeys("user");
		assertThat(found.lastAccessedTime()).isEqualTo(this.now.get());
		assertThat(found.creationTime()).isEqualTo(1_000_000);
	}

	@Test
	void changesSetAndRemoveOnlyTheAttributesNamed() {
		this.store.save(created("a", Map.of("kept", bytes(1), "gone", bytes(1)), 1800));
		assertThat(this.store.save(change("a", null, Map.of("added", bytes(2)), List.of("gone")))).isTrue();
		assertThat(this.store.find("a").attributes()).containsOnlyKeys("kept", "added");
	}

	@Test
	void aChangedIdMovesTheSession() {
		this.store.save(created("before-login", Map.of("request", bytes(1)), 1800));
		this.store.save(change("after-login", "before-login", Map.of("user", bytes(1)), List.of()));
		assertThat(this.store.find("before-login")).isNull();
		assertThat(this.store.find("after-login").attributes()).containsOnlyKeys("request", "user");
		assertThat(this.store.count()).isOne();
		// Moved, not ended: whoever holds its copy keeps it under the new id
		assertThat(this.ended).isEmpty();
	}

	@Test
	void aSessionMovedOntoTheIdOfAnExpiredOneCountsItsBytesOnce() {
		this.store.save(created("taken", Map.of("old", bytes(500)), 60));
		this.store.save(created("before-login", Map.of(), 1800));
		this.now.addAndGet(120_000);
		this.store.save(change("taken", "before-login", Map.of(), List.of()));
		assertThat(this.store.count()).isOne();
		assertThat(this.store.bytes()).isEqualTo(SessionFrames.size("taken", Map.of()));
	}

	@Test
	void aSessionUnusedForItsMaxInactiveIntervalIsGoneAndAChangeDoesNotBringItBack() {
		this.store.save(created("a", Map.of(), 60));
		this.now.addAndGet(59_999);
		assertThat(this.store.find("a")).isNotNull();
		this.now.addAndGet(60_000);
		assertThat(this.store.find("a")).isNull();
		assertThat(this.store.save(change("a", null, Map.of("late", bytes(1)), List.of()))).isFalse();
		assertThat(this.store.count()).isZero();
		assertThat(this.store.bytes()).isZero();
		assertThat(this.ended).containsExactly("a");
	}

	@Test
	void expiredSessionsAreSweptOutAsOthersAreSaved() {
		for (int i = 0; i < 100; i++) {
			this.store.save(created("old-" + i, Map.of("x", bytes(100)), 60));
		}
		this.now.addAndGet(120_000);
		this.store.save(created("new", Map.of(), 60));
		assertThat(this.store.count()).isOne();
		assertThat(this.store.bytes()).isEqualTo(SessionFrames.size("new", Map.of()));
		assertThat(this.ended).hasSize(100).contains("old-0", "old-99");
	}

	@Test
	void aSessionThatNeverExpiresStays() {
		this.store.save(created("a", Map.of(), -1));
		this.now.addAndGet(365L * 24 * 3600 * 1000);
		assertThat(this.store.find("a")).isNotNull();
	}

	@Test
	void aSessionLargerThanItsLimitIsRefusedAndLeftAsItWas() {
		this.store.save(created("a", Map.of("small", bytes(10)), 1800));
		assertThatExceptionOfType(SessionStore.SessionTooLargeException.class)
			.isThrownBy(() -> this.store.save(change("a", null, Map.of("big", bytes(65 * 1024)), List.of())))
			.withMessageContaining("cluster.sessions.max-session-size (64 KB)");
		assertThat(this.store.find("a").attributes()).containsOnlyKeys("small");
	}

	@Test
	void theBoundHoldsUnderTenThousandSessionsAndTheIdlestGoFirst(CapturedOutput output) {
		SessionStore bounded = new SessionStore(2 * 1024 * 1024, 64 * 1024, this.now::get, this.ended::add);
		for (int i = 0; i < 10_000; i++) {
			this.now.incrementAndGet();
			bounded.save(created("s-" + i, Map.of("cart", bytes(1000)), 1800));
			if (i % 500 == 0) {
				// Used now and then: never among the idlest
				assertThat(bounded.find("s-0")).isNotNull();
			}
			assertThat(bounded.bytes()).isLessThanOrEqualTo(2 * 1024 * 1024);
		}
		assertThat(bounded.count()).isBetween(1500, 2100);
		assertThat(bounded.find("s-9999")).isNotNull();
		assertThat(bounded.find("s-0")).isNotNull();
		assertThat(bounded.find("s-1")).isNull();
		assertThat(bounded.find("s-7000")).isNull();
		assertThat(output).containsOnlyOnce("HTTP session(s), the idlest unused for")
			.contains("cluster.sessions.max-bytes (2 MB)");
	}

	@Test
	void theSessionJustSavedIsNeverEvicted() {
		SessionStore tiny = new SessionStore(1, 64 * 1024, this.now::get, this.ended::add);
		tiny.save(created("a", Map.of(), 1800));
		tiny.save(created("b", Map.of(), 1800));
		assertThat(tiny.find("a")).isNull();
		assertThat(tiny.find("b")).isNotNull();
		assertThat(this.ended).containsExactly("a");
	}

	@Test
	void aDeletedSessionEndsOnce() {
		this.store.save(created("a", Map.of(), 1800));
		this.store.delete("a");
		this.store.delete("a");
		assertThat(this.ended).containsExactly("a");
	}

	private SessionChange created(String id, Map<String, byte[]> attributes, long maxInactiveSeconds) {
		return new SessionChange(id, null, true, this.now.get(), this.now.get(), maxInactiveSeconds, attributes,
				List.of());
	}

	private SessionChange change(String id, String previousId, Map<String, byte[]> set, List<String> removed) {
		return new SessionChange(id, previousId, false, 0, this.now.get(), 1800, set, removed);
	}

	private static byte[] bytes(int size) {
		return new byte[size];
	}

}
