package io.bootcluster.server;

import java.net.InetSocketAddress;

/**
 * A listening socket as the web server really bound it.
 *
 * @param address the bound address
 * @param reusePort whether the socket has {@code SO_REUSEPORT}, read back from the socket
 * itself
 */
public record BoundListener(InetSocketAddress address, boolean reusePort) {

}
