package io.bootcluster.internal.ipc;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

import org.jspecify.annotations.Nullable;

/**
 * One end of an open channel between the master and a worker. Sending is safe from any
 * thread; receiving belongs to the single thread that reads the connection.
 * <p>
 * A connection starts out blocking: a worker writes straight to the socket, and when the
 * master reads slowly, the worker's sending thread waits, which is the backpressure it
 * should feel. The master never waits on a worker: once it accepted a worker's hello, it
 * {@link #neverWaitOnPeer() stops waiting} on the connection. The sending thread then
 * writes what the socket takes at once, and queues the rest for a writer thread of the
 * connection's own, up to a budget of bytes; a frame that does not fit is refused
 * ({@link #trySend} answers {@code false}) rather than held in memory without bound. A
 * worker's own channel {@link #gatherBursts() gathers bursts}: frames sent in a row are
 * written many at a time.
 * <p>
 * Queued frames, and the channel's blocking mode, are guarded by the write lock.
 */
public final class Connection implements Closeable {

	/** Bytes a master-side connection may hold for a worker that does not read. */
	static final long QUEUE_BUDGET = 16 * 1024 * 1024;

	/** Sending again within this many nanoseconds of the last write is a burst. */
	static final long BURST_GAP_NANOS = 20_000;

	/** Bytes a burst may queue before its sender waits, as it would on the socket. */
	static final int BURST_BUDGET = 256 * 1024;

	private final SocketChannel channel;

	private final FrameCodec codec;

	private final FrameInput input;

	private final Object writeLock = new Object();

	private final ArrayDeque<ByteBuffer> unwritten = new ArrayDeque<>();

	private long unwrittenBytes;

	// Blocking connections that gather bursts: whether their writer thread runs, is writing
	// a batch, and when the last write ended
	private boolean gathering;

	private boolean writing;

	private long lastWrite;

	// Set once the connection stops waiting on its peer: its reader waits on one for bytes
	// to read, its writer on the other for room to write
	private volatile @Nullable Selector readable;

	private volatile @Nullable Selector writable;

	private Connection(SocketChannel channel, FrameCodec codec) {
		this.channel = channel;
		this.codec = codec;
		this.input = new FrameInput(codec);
	}

	static Connection direct(SocketChannel channel, FrameCodec codec) {
		return new Connection(channel, codec);
	}

	/**
	 * From now on, sending never waits on the peer: frames the socket cannot take at once
	 * wait for a writer thread. Called once, by the thread that reads the connection,
	 * before it receives again.
	 * @throws IOException if the channel cannot be switched
	 */
	void neverWaitOnPeer() throws IOException {
		Selector writable = Selector.open();
		Selector readable = Selector.open();
		try {
			synchronized (this.writeLock) {
				this.channel.configureBlocking(false);
				this.channel.register(readable, SelectionKey.OP_READ);
				this.channel.register(writable, SelectionKey.OP_WRITE);
			}
		}
		catch (IOException | RuntimeException ex) {
			writable.close();
			readable.close();
			throw ex;
		}
		this.readable = readable;
		this.writable = writable;
		DaemonThreads.start("cluster-ipc-writer", () -> writeQueued(writable));
	}

	/**
	 * Sends a message.
	 * @param message the message
	 * @throws IOException if the channel is closed or fails, the message is larger than a
	 * frame may be, or a worker does not read what it is sent
	 */
	public void send(Message message) throws IOException {
		ByteBuffer frame = this.codec.encode(message);
		synchronized (this.writeLock) {
			if (this.channel.isBlocking()) {
				sendBlocking(frame);
				return;
			}
			if (this.unwritten.isEmpty() && this.codec.writeAvailable(this.channel, frame)) {
				return;
			}
			if (!this.channel.isOpen()) {
				throw new IOException("The channel is closed");
			}
			if (this.unwrittenBytes + frame.remaining() > QUEUE_BUDGET) {
				throw new IOException("The peer does not read: " + QUEUE_BUDGET + " bytes are waiting for it already");
			}
			this.unwritten.add(frame);
			this.unwrittenBytes += frame.remaining();
			this.writeLock.notifyAll();
		}
	}

	// Holding the write lock. A frame sent long after the last write goes at once; in a
	// burst, frames queue for the writer thread, which writes many at a time: one write, and
	// one wakeup of the reader at the other end, for many frames
	private void sendBlocking(ByteBuffer frame) throws IOException {
		long now = System.nanoTime();
		if (!this.gathering || (this.unwritten.isEmpty() && !this.writing && now - this.lastWrite > BURST_GAP_NANOS)) {
			this.codec.write(this.channel, frame);
			this.lastWrite = System.nanoTime();
			return;
		}
		try {
			while (this.unwrittenBytes >= BURST_BUDGET && this.channel.isOpen()) {
				this.writeLock.wait();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("Interrupted while the channel was full");
		}
		if (!this.channel.isOpen()) {
			throw new IOException("The channel is closed");
		}
		this.unwritten.add(frame);
		this.unwrittenBytes += frame.remaining();
		this.writeLock.notifyAll();
	}

	/**
	 * From now on, frames sent in a burst are gathered into few writes by a writer thread
	 * (sending stays blocking: a sender waits when a burst's budget is queued already).
	 * For a worker's channel to the master, whose sends are often many in a row.
	 */
	public void gatherBursts() {
		synchronized (this.writeLock) {
			if (!this.gathering && this.channel.isBlocking()) {
				this.gathering = true;
				DaemonThreads.start("cluster-ipc-writer", this::writeBursts);
			}
		}
	}

	// The writer thread of a blocking connection: writes what queued, many frames at once
	private void writeBursts() {
		ByteBuffer batch = ByteBuffer.allocateDirect(64 * 1024);
		ArrayDeque<ByteBuffer> taken = new ArrayDeque<>();
		try {
			while (awaitUnwritten()) {
				long bytes;
				synchronized (this.writeLock) {
					bytes = this.unwrittenBytes;
					taken.addAll(this.unwritten);
					this.unwritten.clear();
					this.writing = true;
				}
				int frames = taken.size();
				while (!taken.isEmpty()) {
					batch.clear();
					while (!taken.isEmpty() && batch.hasRemaining()) {
						ByteBuffer frame = taken.peek();
						int length = Math.min(frame.remaining(), batch.remaining());
						batch.put(batch.position(), frame, frame.position(), length);
						batch.position(batch.position() + length);
						frame.position(frame.position() + length);
						if (!frame.hasRemaining()) {
							taken.poll();
						}
					}
					batch.flip();
					while (batch.hasRemaining()) {
						this.channel.write(batch);
					}
				}
				this.codec.wrote(frames);
				synchronized (this.writeLock) {
					this.unwrittenBytes -= bytes;
					this.writing = false;
					this.lastWrite = System.nanoTime();
					this.writeLock.notifyAll();
				}
			}
		}
		catch (IOException ex) {
			close();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			close();
		}
	}

	/**
	 * Sends a message, reporting only whether it went out. For messages to a peer that may
	 * already be gone, where a failure needs no more than the channel's own close.
	 * @param message the message
	 * @return whether the message was written, or queued to be
	 */
	public boolean trySend(Message message) {
		try {
			send(message);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	// The writer thread: waits for queued frames, then for the socket to take them
	private void writeQueued(Selector writable) {
		try (writable) {
			while (awaitUnwritten()) {
				writable.select();
				writable.selectedKeys().clear();
				synchronized (this.writeLock) {
					this.unwrittenBytes -= this.codec.writeAvailable(this.channel, this.unwritten);
				}
			}
		}
		catch (IOException | ClosedSelectorException ex) {
			close();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			close();
		}
	}

	private boolean awaitUnwritten() throws InterruptedException {
		synchronized (this.writeLock) {
			while (this.unwritten.isEmpty() && this.channel.isOpen()) {
				this.writeLock.wait();
			}
			return this.channel.isOpen();
		}
	}

	/**
	 * Reads the next message, waiting for it. Belongs to the one thread that reads the
	 * connection at a time.
	 * @return the message, or {@code null} when the peer closed the channel
	 * @throws FrameException if the peer sends a frame that breaks the protocol
	 * @throws IOException if the channel fails
	 */
	public @Nullable Message receive() throws IOException {
		while (true) {
			Message message = this.input.next();
			if (message != null) {
				return message;
			}
			int read = this.input.readFrom(this.channel);
			if (read < 0) {
				if (this.input.hasUnread()) {
					throw new EOFException("Channel closed inside a frame");
				}
				return null;
			}
			if (read == 0) {
				awaitReadable();
			}
		}
	}

	private void awaitReadable() throws IOException {
		Selector readable = this.readable;
		if (readable == null || !this.channel.isOpen()) {
			throw new IOException("The channel is closed");
		}
		try {
			readable.select();
			readable.selectedKeys().clear();
		}
		catch (ClosedSelectorException ex) {
			throw new IOException("The channel is closed", ex);
		}
	}

	/**
	 * Whether bytes were received that are not yet a message: after a handshake, where
	 * the peer waits for the answer, a protocol violation.
	 * @return whether any are left
	 */
	boolean hasUnread() {
		return this.input.hasUnread();
	}

	/**
	 * Hands the channel to a caller that reads and writes it itself from now on.
	 * @return the channel
	 * @throws IOException if bytes were read past the last message received
	 */
	SocketChannel detach() throws IOException {
		if (this.input.hasUnread()) {
			close();
			throw new IOException("More than a welcome arrived on a new connection");
		}
		return this.channel;
	}

	public boolean isOpen() {
		return this.channel.isOpen();
	}

	@Override
	public void close() {
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			// Closing a socket we no longer need: nothing left to do with the failure
		}
		synchronized (this.writeLock) {
			// Wakes the writer, which finds the channel closed
			this.writeLock.notifyAll();
		}
		// Wakes whoever waits on them, who finds the channel closed; closing them is also
		// what releases the socket, which stays open while registered
		close(this.readable);
		close(this.writable);
	}

	private static void close(@Nullable Selector selector) {
		if (selector != null) {
			try {
				selector.close();
			}
			catch (IOException ex) {
				// Nothing more to release
			}
		}
	}

}
