package io.bootcluster.internal.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Objects;

import io.bootcluster.internal.ipc.FrameCodec;
import tools.jackson.databind.JsonNode;

/**
 * The live cluster page, one file of HTML, CSS and JavaScript, served as it is by the
 * master and by every worker; and the events its stream carries. The page finds the
 * endpoint from its own address: {@code <endpoint>/ui} on a worker, {@code /} on the
 * master.
 */
public final class ClusterPage {

	/** The headers the page is served with. */
	public static final Map<String, String> HEADERS = Map.of("Content-Type", "text/html; charset=utf-8",
			"Cache-Control", "no-store",
			// Its buttons are never shown inside another site's frame
			"Content-Security-Policy",
			"default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; frame-ancestors 'none'",
			"X-Frame-Options", "DENY",
			// No idle connection of the page's is left for a worker that leaves to wait for
			"Connection", "close");

	/** The name of the stream's events. */
	public static final String EVENT = "status";

	private static final byte[] HTML = load();

	private ClusterPage() {
	}

	/**
	 * The page.
	 * @return its bytes, in UTF-8
	 */
	public static byte[] html() {
		return HTML.clone();
	}

	/**
	 * One event of the stream.
	 * @param writable whether the page may show its buttons
	 * @param status the cluster's status
	 * @return the event's JSON
	 */
	public static byte[] event(boolean writable, JsonNode status) {
		return FrameCodec.mapper()
			.writeValueAsBytes(FrameCodec.mapper().createObjectNode().put("writable", writable).set("status", status));
	}

	private static byte[] load() {
		try (InputStream in = ClusterPage.class.getResourceAsStream("cluster.html")) {
			return Objects.requireNonNull(in, "cluster.html").readAllBytes();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
