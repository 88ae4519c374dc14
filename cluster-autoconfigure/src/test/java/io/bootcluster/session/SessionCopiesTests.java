package io.bootcluster.session;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.bootcluster.internal.ipc.Action;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.internal.ipc.QuietConnection;
import io.bootcluster.internal.ipc.SessionFrames;
import io.bootcluster.internal.ipc.SessionFrames.SessionChange;
import io.bootcluster.internal.ipc.SessionFrames.StoredSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker's copies of the sessions it used last, over a real Unix domain socket whose
 * other end plays the master.
 */
class SessionCopiesTests {

	private final FrameCodec codec = new FrameCodec(4 * 1024 * 1024);

	private final AtomicInteger opened = new AtomicInteger();

	private final List<SocketChannel> masterEnds = new ArrayList<>();

	@TempDir
	Path directory;

	private ServerSocketChannel server;

	private SessionCopies copies;

	@BeforeEach
	void listen() throws IOException {
		this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		this.server.bind(UnixDomainSocketAddress.of(this.directory.resolve("quiet.sock")));
		this.copies = new SessionCopies(this::open, 1024 * 1024);
	}

	@AfterEach
	void close() throws IOException {
		for (SocketChannel channel : this.masterEnds) {
			channel.close();
		}
		this.server.close();
	}

	@Test
	void aCopyKeptIsFoundUntilTheMasterRevokesIt() throws IOException {
		this.copies.kept(session("s", 1));
		assertThat(count(this.copies.find("s"))).isEqualTo(1);
		this.codec.write(master(), revoke("s"));
		assertThat(this.copies.find("s")).isNull();
	}

	@Test
	void aChangeToAHeldCopyIsWrittenQuietlyAndKept() throws IOException {
		this.copies.kept(session("s", 1));
		SessionCopies.Sent sent = this.copies.send(change("s", false, 2), session("s", 2), this::neverSync);
		assertThat(sent).isEqualTo(SessionCopies.Sent.KEPT);
		Message.Request written = (Message.Request) this.codec.read(master());
		assertThat(written.action()).isEqualTo(Action.SESSION_SAVE.wireName());
		assertThat(written.id()).as("no answer wanted").isZero();
		assertThat(count(this.copies.find("s"))).isEqualTo(2);
	}

	@Test
	void aChangeToASessionNotHeldIsLeftToTheUsualWay() throws IOException {
		this.copies.kept(session("s", 1));
		this.codec.write(master(), revoke("s"));
		assertThat(this.copies.send(change("s", false, 2), session("s", 2), this::neverSync))
			.isEqualTo(SessionCopies.Sent.NOT_SENT);
		assertThat(this.copies.send(change("other", false, 2), session("other", 2), this::neverSync))
			.isEqualTo(SessionCopies.Sent.NOT_SENT);
		master().configureBlocking(false);
		assertThat(master().read(ByteBuffer.allocate(16))).as("nothing written").isZero();
	}

	@Test
	void aChangeLargerThanTheSocketTakesSyncsAndOneRevokedMeanwhileIsNotKept() throws IOException {
		this.copies.kept(session("s", 1));
		byte[] large = new byte[2 * 1024 * 1024];
		SessionChange change = new SessionChange("s", null, false, 0, System.currentTimeMillis(), 1800,
				Map.of("cart", large), List.of());
		AtomicInteger syncs = new AtomicInteger();
		SessionCopies.Sent sent = this.copies.send(change, session("s", 2), () -> {
			// The master reads what is there, and meanwhile another worker took the session
			syncs.incrementAndGet();
			try {
				master().configureBlocking(false);
				while (master().read(ByteBuffer.allocate(256 * 1024)) > 0) {
					// Drained
				}
				if (syncs.get() == 1) {
					master().configureBlocking(true);
					this.codec.write(master(), revoke("s"));
				}
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		});
		assertThat(syncs).hasPositiveValue();
		assertThat(sent).isEqualTo(SessionCopies.Sent.WRITTEN);
		assertThat(this.copies.find("s")).isNull();
	}

	@Test
	void aConnectionTheMasterClosedDropsEveryCopy() throws IOException {
		this.copies.kept(session("a", 1));
		this.copies.kept(session("b", 1));
		master().close();
		assertThat(this.copies.find("a")).isNull();
		assertThat(this.copies.find("b")).isNull();
		this.copies.kept(session("a", 1));
		assertThat(this.copies.find("a")).as("no copies until another connection is open").isNull();
		assertThat(this.opened).hasValue(1);
	}

	@Test
	void theCopiesIdleTheLongestGoBeyondTheBound() {
		SessionCopies small = new SessionCopies(this::open, 3 * SessionFrames.size("s-0", Map.of("count", new byte[1])));
		for (int i = 0; i < 5; i++) {
			small.kept(session("s-" + i, i));
		}
		assertThat(small.find("s-0")).isNull();
		assertThat(small.find("s-1")).isNull();
		assertThat(count(small.find("s-4"))).isEqualTo(4);
	}

	private QuietConnection open() throws IOException {
		SocketChannel worker = SocketChannel.open(this.server.getLocalAddress());
		this.masterEnds.add(this.server.accept());
		this.opened.incrementAndGet();
		return new QuietConnection(worker, this.codec);
	}

	private SocketChannel master() {
		return this.masterEnds.get(this.masterEnds.size() - 1);
	}

	private void neverSync() {
		throw new AssertionError("No sync expected");
	}

	private static Message.Request revoke(String id) {
		return new Message.Request(0, Action.SESSION_REVOKE.wireName(), SessionFrames.id(id));
	}

	private static StoredSession session(String id, int count) {
		return new StoredSession(id, System.currentTimeMillis(), System.currentTimeMillis(), 1800,
				Map.of("count", new byte[] { (byte) count }));
	}

	private static SessionChange change(String id, boolean isNew, int count) {
		return new SessionChange(id, null, isNew, 0, System.currentTimeMillis(), 1800,
				Map.of("count", new byte[] { (byte) count }), List.of());
	}

	private static int count(StoredSession session) {
		return session.attributes().get("count")[0];
	}

}
