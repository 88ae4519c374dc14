import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a client sees of a worker's death: SIGKILLs the worker, then sends requests on new
 * connections, as fast as they are answered, until one is answered by a process that was
 * not serving before. Prints the milliseconds from the kill to that answer. Run as
 * {@code FirstResponse <port> <victim pid> <pids serving now...>}.
 */
public final class FirstResponse {

	private static final Pattern PID = Pattern.compile("\"pid\":(\\d+)");

	public static void main(String[] args) throws Exception {
		int port = Integer.parseInt(args[0]);
		long victim = Long.parseLong(args[1]);
		Set<Long> before = new HashSet<>();
		for (int i = 2; i < args.length; i++) {
			before.add(Long.parseLong(args[i]));
		}
		// Warm this JVM's own request path first: its first request is slow
		for (int i = 0; i < 200; i++) {
			pidOf(port);
		}
		// Looked up before the clock starts: what is timed is from the signal on
		ProcessHandle handle = ProcessHandle.of(victim).orElseThrow();
		long killed = System.nanoTime();
		handle.destroyForcibly();
		long deadline = killed + 60_000_000_000L;
		while (System.nanoTime() < deadline) {
			long pid = pidOf(port);
			if (pid > 0 && !before.contains(pid)) {
				System.out.println((System.nanoTime() - killed) / 1_000_000);
				return;
			}
		}
		throw new IllegalStateException("No new worker answered within 60 s");
	}

	// The pid a new connection's answer names, or 0 when it failed
	private static long pidOf(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
			socket.setSoTimeout(5000);
			OutputStream out = socket.getOutputStream();
			out.write("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			Matcher pid = PID.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
			return pid.find() ? Long.parseLong(pid.group(1)) : 0;
		}
		catch (IOException ex) {
			return 0;
		}
	}

}
