package io.bootcluster.test;

import java.util.List;
import java.util.stream.Stream;

/**
 * The web servers the test class path holds; an application started from it gets one.
 */
public enum WebServerKind {

	/** Tomcat, Boot's default. */
	TOMCAT("tomcat-embed-", "spring-boot-tomcat", "spring-boot-starter-tomcat"),

	/** Jetty 12. */
	JETTY("/org/eclipse/jetty/", "spring-boot-jetty", "spring-boot-starter-jetty"),

	/** Reactor Netty, for reactive applications. */
	NETTY("reactor-netty", "spring-boot-reactor-netty");

	private final List<String> jars;

	WebServerKind(String... jars) {
		this.jars = List.of(jars);
	}

	Stream<String> others() {
		return Stream.of(values()).filter((kind) -> kind != this).flatMap((kind) -> kind.jars.stream());
	}

}
