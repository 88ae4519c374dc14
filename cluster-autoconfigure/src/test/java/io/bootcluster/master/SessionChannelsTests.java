package io.bootcluster.master;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.bootcluster.internal.ipc.Action;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.internal.ipc.SessionFrames;
import io.bootcluster.internal.ipc.SessionFrames.SessionChange;
import io.bootcluster.internal.ipc.SessionFrames.StoredSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The master's sessions thread on real Unix domain sockets, as workers' attached
 * connections reach it.
 */
class SessionChannelsTests {

	private final FrameCodec codec = new FrameCodec(FrameCodec.DEFAULT_MAX_FRAME_SIZE);

	private final SessionHolders holders = new SessionHolders();

	private final SessionStore store = new SessionStore(64 * 1024 * 1024, 700 * 1024, System::currentTimeMillis,
			this.holders::revoke);

	private final SessionChannels channels = new SessionChannels(this.store, this.holders, this.codec);

	@TempDir
	Path directory;

	private ServerSocketChannel server;

	@BeforeEach
	void listen() throws IOException {
		this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		this.server.bind(UnixDomainSocketAddress.of(this.directory.resolve("sessions.sock")));
	}

	@AfterEach
	void close() throws IOException {
		this.server.close();
		Files.deleteIfExists(this.directory.resolve("sessions.sock"));
	}

	@Test
	void aChangeSentWithoutWaitingIsSeenByTheNextFindOnAnyConnection() throws IOException {
		try (SocketChannel saving = attach(1); SocketChannel finding = attach(2)) {
			this.codec.write(saving, save("s", true, 0));
			for (int i = 1; i <= 300; i++) {
				// No answer is awaited: the find, on another connection, must still see it
				this.codec.write(saving, save("s", false, i));
				this.codec.write(finding, new Message.Request(i, Action.SESSION_FIND.wireName(), SessionFrames.id("s")));
				Message.Reply reply = (Message.Reply) this.codec.read(finding);
				assertThat(reply.id()).isEqualTo(i);
				assertThat(StoredSession.fromJson(reply.body()).attributes().get("count")).containsExactly(i % 128);
			}
		}
	}

	@Test
	void aSessionLargerThanTheSocketsBuffersTravelsWhole() throws IOException {
		byte[] large = new byte[600 * 1024];
		large[large.length - 1] = 7;
		try (SocketChannel channel = attach(1)) {
			SessionChange change = new SessionChange("big", null, true, System.currentTimeMillis(),
					System.currentTimeMillis(), 1800, Map.of("cart", large), List.of());
			this.codec.write(channel, new Message.Request(1, Action.SESSION_SAVE.wireName(), change.toJson()));
			assertThat(((Message.Reply) this.codec.read(channel)).error()).isNull();
			this.codec.write(channel, new Message.Request(2, Action.SESSION_FIND.wireName(), SessionFrames.id("big")));
			Message.Reply found = (Message.Reply) this.codec.read(channel);
			assertThat(StoredSession.fromJson(found.body()).attributes().get("cart")).isEqualTo(large);
		}
	}

	@Test
	void aWorkerThatCreatedASessionHoldsItsCopyUntilAnotherWorkerFindsIt() throws Exception {
		try (SocketChannel quiet = attachQuiet(1); SocketChannel other = attach(2)) {
			// Wakes nobody: read before the find is answered
			this.codec.write(quiet, save("s", true, 1));
			this.codec.write(other, find(1, "s"));
			Message.Reply reply = (Message.Reply) this.codec.read(other);
			assertThat(count(reply)).isEqualTo(1);
			assertThat(reply.body().path("held").asBoolean()).as("a worker without a quiet connection").isFalse();
			assertThat(revoked(readWithin(quiet))).isEqualTo("s");
			assertThat(this.holders.holder("s")).isNull();
		}
	}

	@Test
	void theHolderFindsAndChangesItsSessionWithoutRevocationsAndHandsItOverOnce() throws Exception {
		try (SocketChannel quiet = attachQuiet(1); SocketChannel own = attach(1); SocketChannel other = attach(2)) {
			this.codec.write(quiet, save("s", true, 1));
			this.codec.write(own, find(1, "s"));
			Message.Reply found = (Message.Reply) this.codec.read(own);
			assertThat(found.body().path("held").asBoolean()).isTrue();
			for (int i = 2; i <= 50; i++) {
				this.codec.write(quiet, save("s", false, i));
			}
			this.codec.write(other, find(2, "s"));
			assertThat(count((Message.Reply) this.codec.read(other))).isEqualTo(50);
			assertThat(revoked(readWithin(quiet))).isEqualTo("s");
			quiet.configureBlocking(false);
			assertThat(quiet.read(ByteBuffer.allocate(64))).as("one revocation, no more").isZero();
		}
	}

	@Test
	void aChangeWrittenAfterTheCopyWasTakenRevokesTheNewHolderOnceSynced() throws Exception {
		try (SocketChannel quiet1 = attachQuiet(1); SocketChannel own1 = attach(1); SocketChannel quiet2 = attachQuiet(2);
				SocketChannel own2 = attach(2)) {
			this.codec.write(quiet1, save("s", true, 1));
			this.codec.write(own2, find(1, "s"));
			assertThat(((Message.Reply) this.codec.read(own2)).body().path("held").asBoolean()).isTrue();
			assertThat(revoked(readWithin(quiet1))).isEqualTo("s");
			// Worker 1 wrote before it read the revocation, then asks for its change to be applied
			this.codec.write(quiet1, save("s", false, 5));
			this.codec.write(own1, new Message.Request(2, Action.SESSION_SYNC.wireName(), null));
			assertThat(((Message.Reply) this.codec.read(own1)).error()).isNull();
			assertThat(revoked(readWithin(quiet2))).as("worker 2's copy lacks worker 1's change").isEqualTo("s");
			assertThat(revoked(readWithin(quiet1))).as("so does worker 1's").isEqualTo("s");
			this.codec.write(own2, find(3, "s"));
			assertThat(count((Message.Reply) this.codec.read(own2))).isEqualTo(5);
		}
	}

	@Test
	void quietChangesAreAppliedWithoutAnyFind() throws Exception {
		try (SocketChannel quiet = attachQuiet(1)) {
			this.codec.write(quiet, save("s", true, 1));
			long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
			while (this.store.count() == 0 && System.nanoTime() < deadline) {
				Thread.sleep(20);
			}
			assertThat(this.store.count()).isOne();
		}
	}

	@Test
	void aSessionsEndRevokesItsCopy() throws Exception {
		try (SocketChannel quiet = attachQuiet(1); SocketChannel own = attach(1)) {
			this.codec.write(quiet, save("s", true, 1));
			this.codec.write(own, new Message.Request(0, Action.SESSION_DELETE.wireName(), SessionFrames.id("s")));
			assertThat(revoked(readWithin(quiet))).isEqualTo("s");
		}
	}

	@Test
	void aConnectionThatSendsAnythingElseIsClosed() throws IOException {
		try (SocketChannel channel = attach(1)) {
			this.codec.write(channel, new Message.Ready(true));
			assertThat(this.codec.read(channel)).isNull();
		}
	}

	// A worker's attached connection, as the channel's server hands it over once welcomed
	private SocketChannel attach(int workerId) throws IOException {
		SocketChannel worker = SocketChannel.open(this.server.getLocalAddress());
		this.channels.add(this.server.accept(), workerId, false);
		return worker;
	}

	private SocketChannel attachQuiet(int workerId) throws IOException {
		SocketChannel worker = SocketChannel.open(this.server.getLocalAddress());
		this.channels.add(this.server.accept(), workerId, true);
		return worker;
	}

	// What the master sends, within a few seconds: a missing message fails the test
	private Message readWithin(SocketChannel channel) throws Exception {
		CompletableFuture<Message> read = CompletableFuture.supplyAsync(() -> {
			try {
				return this.codec.read(channel);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		});
		try {
			return read.get(5, TimeUnit.SECONDS);
		}
		finally {
			if (!read.isDone()) {
				channel.close();
			}
		}
	}

	private static String revoked(Message message) {
		Message.Request request = (Message.Request) message;
		assertThat(request.action()).isEqualTo(Action.SESSION_REVOKE.wireName());
		return SessionFrames.id(request.body());
	}

	private static Message.Request find(long requestId, String id) {
		return new Message.Request(requestId, Action.SESSION_FIND.wireName(), SessionFrames.id(id));
	}

	private static int count(Message.Reply reply) {
		return StoredSession.fromJson(reply.body()).attributes().get("count")[0];
	}

	private static Message.Request save(String id, boolean isNew, int count) {
		SessionChange change = new SessionChange(id, null, isNew, System.currentTimeMillis(),
				System.currentTimeMillis(), 1800, Map.of("count", new byte[] { (byte) (count % 128) }), List.of());
		return new Message.Request(0, Action.SESSION_SAVE.wireName(), change.toJson());
	}

}
