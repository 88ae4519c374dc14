package io.bootcluster.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Which processes hold a listening TCP socket on a port, read from Linux's {@code /proc}:
 * the listening sockets' inodes from {@code /proc/net/tcp*}, then each process's open
 * file descriptors.
 */
public final class ListeningSockets {

	private static final String LISTEN = "0A";

	private ListeningSockets() {
	}

	/**
	 * Whether a process holds a listening socket on a port.
	 * @param pid the process
	 * @param port the port
	 * @return whether it listens there
	 */
	public static boolean listens(long pid, int port) {
		return holdsAny(pid, listeningInodes(port));
	}

	/**
	 * Whether a process holds a listening TCP socket on any port.
	 * @param pid the process
	 * @return whether it listens anywhere
	 */
	public static boolean listensOnAnyPort(long pid) {
		return holdsAny(pid, listeningInodes(null));
	}

	private static boolean holdsAny(long pid, Set<String> inodes) {
		try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
			return fds.map(ListeningSockets::linkTarget).anyMatch(inodes::contains);
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * How many listening sockets there are on a port, whoever holds them.
	 * @param port the port
	 * @return the number of listening sockets
	 */
	public static int count(int port) {
		return listeningInodes(port).size();
	}

	// On a port, or on any when it is null
	private static Set<String> listeningInodes(Integer port) {
		String localPort = (port != null) ? ":" + String.format(Locale.ROOT, "%04X", port) : ":";
		Set<String> inodes = new HashSet<>();
		for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
			try {
				for (String line : Files.readAllLines(Path.of(table))) {
					String[] fields = line.trim().split("\\s+");
					if (fields.length > 9 && fields[1].endsWith(localPort) && LISTEN.equals(fields[3])) {
						inodes.add("socket:[" + fields[9] + "]");
					}
				}
			}
			catch (IOException ex) {
				// No IPv6 table on this machine
			}
		}
		return inodes;
	}

	private static String linkTarget(Path fd) {
		try {
			return Files.readSymbolicLink(fd).toString();
		}
		catch (IOException ex) {
			return "";
		}
	}

}
