package io.bootcluster.server;

import org.apache.coyote.http11.Http11NioProtocol;
import org.jspecify.annotations.Nullable;

/**
 * Tomcat's HTTP/1.1 NIO protocol on a listener that shares its port with the other
 * workers. Tomcat creates protocols by class name, hence the public no-argument
 * constructor.
 */
public class ReusePortHttp11NioProtocol extends Http11NioProtocol {

	private final ReusePortNioEndpoint endpoint;

	public ReusePortHttp11NioProtocol() {
		this(new ReusePortNioEndpoint());
	}

	private ReusePortHttp11NioProtocol(ReusePortNioEndpoint endpoint) {
		super(endpoint);
		this.endpoint = endpoint;
	}

	/**
	 * The listener this protocol bound.
	 * @return the listener, or {@code null} before it is bound or after it is closed
	 */
	public @Nullable BoundListener boundListener() {
		return this.endpoint.boundListener();
	}

	/**
	 * Starts the connector's request threads before the connector starts: a standby's
	 * connector starts when it takes over, and its first clients then wait for the listener
	 * and the acceptor only. Threads that a connector never started end with the JVM.
	 */
	void startThreadsAhead() {
		this.endpoint.createExecutor();
	}

	/**
	 * The descriptor of the listener, for the {@link HandshakeFence}.
	 * @return the descriptor, or -1 when there is none or it cannot be found
	 */
	int listenerDescriptor() {
		return this.endpoint.listenerDescriptor();
	}

}
