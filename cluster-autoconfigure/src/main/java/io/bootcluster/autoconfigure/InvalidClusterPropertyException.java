package io.bootcluster.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * A {@code cluster.*} property has a value the cluster cannot run with. Thrown before any
 * worker is started.
 */
public class InvalidClusterPropertyException extends RuntimeException {

	private final String property;

	private final @Nullable Object value;

	private final String accepted;

	public InvalidClusterPropertyException(String property, @Nullable Object value, String accepted) {
		super("Invalid value '" + value + "' for " + property + ": expected " + accepted);
		this.property = property;
		this.value = value;
		this.accepted = accepted;
	}

	public String getProperty() {
		return this.property;
	}

	public @Nullable Object getValue() {
		return this.value;
	}

	public String getAccepted() {
		return this.accepted;
	}

}
