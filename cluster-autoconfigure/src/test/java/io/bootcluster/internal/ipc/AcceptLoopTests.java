package io.bootcluster.internal.ipc;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AcceptLoopTests {

	private final List<Duration> pauses = new ArrayList<>();

	private final List<SocketChannel> served = new ArrayList<>();

	@Test
	void runningOutOfFileDescriptorsPausesLongerEachTimeAndPasses() throws Exception {
		Deque<Object> outcomes = new ArrayDeque<>();
		for (int i = 0; i < 12; i++) {
			outcomes.add(new IOException("Too many open files"));
		}
		SocketChannel channel = SocketChannel.open();
		outcomes.add(channel);
		new AcceptLoop(source(outcomes), this.served::add, this.pauses::add).run();
		assertThat(this.served).containsExactly(channel);
		assertThat(this.pauses).hasSize(12).isSorted();
		assertThat(this.pauses.get(0)).isEqualTo(AcceptLoop.FIRST_PAUSE);
		assertThat(this.pauses.get(11)).isEqualTo(AcceptLoop.LONGEST_PAUSE);
	}

	@Test
	void aReaderThatCannotStartClosesItsConnectionAndTheLoopGoesOn() throws Exception {
		SocketChannel refused = SocketChannel.open();
		SocketChannel accepted = SocketChannel.open();
		Deque<Object> outcomes = new ArrayDeque<>(List.of(refused, accepted));
		new AcceptLoop(source(outcomes), (channel) -> {
			if (channel == refused) {
				throw new OutOfMemoryError("unable to create native thread");
			}
			this.served.add(channel);
		}, this.pauses::add).run();
		assertThat(refused.isOpen()).isFalse();
		assertThat(this.served).containsExactly(accepted);
		assertThat(this.pauses).containsExactly(AcceptLoop.FIRST_PAUSE);
	}

	// Hands out the outcomes in order, then closes
	private static AcceptLoop.Source source(Deque<Object> outcomes) {
		return new AcceptLoop.Source() {

			@Override
			public SocketChannel accept() throws IOException {
				Object next = outcomes.poll();
				if (next == null) {
					throw new ClosedChannelException();
				}
				if (next instanceof IOException failure) {
					throw failure;
				}
				return (SocketChannel) next;
			}

			@Override
			public boolean isOpen() {
				return true;
			}

		};
	}

}
