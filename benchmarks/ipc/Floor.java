import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The floor under any channel between two JVMs on this machine: a ping-pong over a Unix
 * domain socket, blocking channels, one thread on each side, a four-byte length and a
 * 27-byte JSON text, nothing else. Run as {@code Floor}; it starts the echoing JVM itself.
 */
public final class Floor {

	private static final int WARMUP = 100_000;

	private static final int MEASURED = 100_000;

	private static final byte[] TEXT = "{\"topic\":\"ping\",\"seq\":1234}".getBytes(StandardCharsets.UTF_8);

	public static void main(String[] args) throws Exception {
		if (args.length > 0) {
			echo(Path.of(args[0]));
			return;
		}
		Path directory = Files.createTempDirectory("floor");
		Path socket = directory.resolve("s");
		try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
			server.bind(UnixDomainSocketAddress.of(socket));
			Process echo = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
					System.getProperty("java.class.path"), Floor.class.getName(), socket.toString())
				.inheritIO()
				.start();
			try (SocketChannel channel = server.accept()) {
				measure(channel);
			}
			echo.waitFor(1, TimeUnit.MINUTES);
		}
		finally {
			Files.deleteIfExists(socket);
			Files.delete(directory);
		}
	}

	private static void measure(SocketChannel channel) throws Exception {
		ByteBuffer out = ByteBuffer.allocateDirect(4 + TEXT.length);
		ByteBuffer in = ByteBuffer.allocateDirect(4 + TEXT.length);
		for (int i = 0; i < WARMUP; i++) {
			roundTrip(channel, out, in);
		}
		long[] nanos = new long[MEASURED];
		long start = System.nanoTime();
		for (int i = 0; i < MEASURED; i++) {
			long sent = System.nanoTime();
			roundTrip(channel, out, in);
			nanos[i] = System.nanoTime() - sent;
		}
		long elapsed = System.nanoTime() - start;
		Arrays.sort(nanos);
		System.out.printf("ipc floor: %d round trips/s, p50 %d us, p99 %d us%n", MEASURED * 1_000_000_000L / elapsed,
				TimeUnit.NANOSECONDS.toMicros(nanos[MEASURED / 2]),
				TimeUnit.NANOSECONDS.toMicros(nanos[MEASURED * 99 / 100]));
	}

	private static void roundTrip(SocketChannel channel, ByteBuffer out, ByteBuffer in) throws Exception {
		out.clear();
		out.putInt(TEXT.length).put(TEXT).flip();
		while (out.hasRemaining()) {
			channel.write(out);
		}
		in.clear();
		readFully(channel, in);
	}

	private static boolean readFully(SocketChannel channel, ByteBuffer buffer) throws Exception {
		while (buffer.hasRemaining()) {
			if (channel.read(buffer) < 0) {
				return false;
			}
		}
		return true;
	}

	private static void echo(Path socket) throws Exception {
		try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
			ByteBuffer buffer = ByteBuffer.allocateDirect(4 + TEXT.length);
			while (readFully(channel, buffer.clear())) {
				buffer.flip();
				while (buffer.hasRemaining()) {
					channel.write(buffer);
				}
			}
		}
	}

}
