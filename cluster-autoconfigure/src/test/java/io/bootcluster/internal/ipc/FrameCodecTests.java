package io.bootcluster.internal.ipc;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class FrameCodecTests {

	private final FrameCodec codec = new FrameCodec(1024);

	private Pipe pipe;

	@BeforeEach
	void openPipe() throws IOException {
		this.pipe = Pipe.open();
	}

	@Test
	void messagesSurviveTheRoundTrip() throws IOException {
		Message.UserMessage message = new Message.UserMessage("cache",
				JsonNodeFactory.instance.objectNode().put("evict", "users"), 3, Message.ALL_WORKERS, 0);
		this.codec.write(this.pipe.sink(), new Message.Listening("0.0.0.0", 8080, true));
		this.codec.write(this.pipe.sink(), message);
		this.pipe.sink().close();
		assertThat(this.codec.read(this.pipe.source())).isEqualTo(new Message.Listening("0.0.0.0", 8080, true));
		assertThat(this.codec.read(this.pipe.source())).isEqualTo(message);
		assertThat(this.codec.read(this.pipe.source())).isNull();
	}

	@Test
	void whatASenderCanFrameItsReceiverCanRead() throws Exception {
		FrameCodec large = new FrameCodec(FrameCodec.DEFAULT_MAX_FRAME_SIZE);
		ObjectNode payload = JsonNodeFactory.instance.objectNode();
		payload.put("k".repeat(60_000), "a key longer than Jackson reads by default");
		payload.put("number", new BigInteger("9".repeat(5_000)));
		Message.UserMessage message = new Message.UserMessage("odd", payload, 1, 2, 0);
		Thread writer = new Thread(() -> {
			try {
				large.write(this.pipe.sink(), message);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		});
		writer.start();
		assertThat(large.read(this.pipe.source())).isEqualTo(message);
		writer.join();
	}

	@Test
	void messageNestedDeeperThanItsReceiverReadsIsRefusedWhenSent() {
		ObjectNode root = JsonNodeFactory.instance.objectNode();
		ObjectNode node = root;
		for (int depth = 0; depth < FrameCodec.MAX_NESTING; depth++) {
			node = node.putObject("n");
		}
		Message.UserMessage message = new Message.UserMessage("deep", root, 1, 2, 0);
		assertThatExceptionOfType(FrameException.class)
			.isThrownBy(() -> new FrameCodec(FrameCodec.DEFAULT_MAX_FRAME_SIZE).encode(message))
			.withMessageStartingWith("Message cannot be framed");
	}

	@Test
	void frameLargerThanTheLimitIsRefusedBeforeItIsRead() throws IOException {
		this.pipe.sink().write(ByteBuffer.allocate(4).putInt(0, 1025));
		assertThatExceptionOfType(FrameException.class).isThrownBy(() -> this.codec.read(this.pipe.source()))
			.withMessageContaining("1025 bytes is larger than the frame limit of 1024");
	}

	@Test
	void negativeLengthIsRefused() throws IOException {
		this.pipe.sink().write(ByteBuffer.allocate(4).putInt(0, -1));
		assertThatExceptionOfType(FrameException.class).isThrownBy(() -> this.codec.read(this.pipe.source()))
			.withMessageContaining("4294967295 bytes");
	}

	@Test
	void bodyThatIsNotAMessageIsRefused() throws IOException {
		writeFrame("{\"type\":\"no-such-type\"}");
		assertThatExceptionOfType(FrameException.class).isThrownBy(() -> this.codec.read(this.pipe.source()))
			.withMessageStartingWith("Frame is not a valid message");
	}

	// A master and its workers may be of two builds, after a jar was replaced in place:
	// frames without the reply routes' fields are read as naming none, and frames that name
	// none leave them out
	@Test
	void framesWithoutReplyRoutesAreReadAsNamingNoneAndWrittenWithoutThem() throws IOException {
		writeFrame("{\"type\":\"welcome\",\"masterPid\":5}");
		writeFrame("{\"type\":\"message\",\"topic\":\"t\",\"payload\":1,\"from\":1,\"to\":0,\"requestId\":3}");
		writeFrame("{\"type\":\"message-reply\",\"requestId\":3,\"to\":1,\"payload\":2}");
		assertThat(this.codec.read(this.pipe.source())).isEqualTo(new Message.Welcome(5, false));
		assertThat(((Message.UserMessage) this.codec.read(this.pipe.source())).via()).isZero();
		assertThat(((Message.UserReply) this.codec.read(this.pipe.source())).via()).isZero();
		String written = FrameCodec.mapper()
			.writeValueAsString(new Message.UserMessage("t", JsonNodeFactory.instance.numberNode(1), 1, 0, 3));
		assertThat(written).doesNotContain("via");
		assertThat(FrameCodec.mapper().writeValueAsString(new Message.Welcome(5))).doesNotContain("replyRoute");
	}

	@Test
	void channelClosedInsideAFrameIsAnError() throws IOException {
		this.pipe.sink().write(ByteBuffer.wrap(new byte[] { 0, 0, 0, 10, '{' }));
		this.pipe.sink().close();
		assertThatExceptionOfType(EOFException.class).isThrownBy(() -> this.codec.read(this.pipe.source()));
	}

	@Test
	void messageLargerThanTheLimitIsNotSent() {
		String large = "x".repeat(2000);
		assertThatExceptionOfType(FrameException.class)
			.isThrownBy(() -> this.codec.write(this.pipe.sink(), new Message.Disconnect(large)));
	}

	private void writeFrame(String json) throws IOException {
		byte[] body = json.getBytes();
		this.pipe.sink().write(ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).flip());
	}

}
