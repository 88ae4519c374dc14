package io.bootcluster.master;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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

	private final SessionChannels channels = new SessionChannels(
			new SessionRequests(new SessionStore(64 * 1024 * 1024, 700 * 1024, System::currentTimeMillis)), this.codec);

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
	void aConnectionThatSendsAnythingElseIsClosed() throws IOException {
		try (SocketChannel channel = attach(1)) {
			this.codec.write(channel, new Message.Ready(true));
			assertThat(this.codec.read(channel)).isNull();
		}
	}

	// A worker's attached connection, as the channel's server hands it over once welcomed
	private SocketChannel attach(int workerId) throws IOException {
		SocketChannel worker = SocketChannel.open(this.server.getLocalAddress());
		this.channels.add(this.server.accept(), workerId);
		return worker;
	}

	private static Message.Request save(String id, boolean isNew, int count) {
		SessionChange change = new SessionChange(id, null, isNew, System.currentTimeMillis(),
				System.currentTimeMillis(), 1800, Map.of("count", new byte[] { (byte) (count % 128) }), List.of());
		return new Message.Request(0, Action.SESSION_SAVE.wireName(), change.toJson());
	}

}
