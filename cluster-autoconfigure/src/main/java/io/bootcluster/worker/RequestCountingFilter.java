package io.bootcluster.worker;

import java.io.IOException;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import org.jspecify.annotations.Nullable;

/**
 * Counts the requests a servlet worker serves, for the master's view of the cluster and
 * for recycling, and reports a {@link VirtualMachineError} met while serving one: a worker
 * that ran out of memory or stack once is not to be trusted with more.
 */
public class RequestCountingFilter implements Filter {

	private final WorkerRuntime runtime;

	public RequestCountingFilter(WorkerRuntime runtime) {
		this.runtime = runtime;
	}

	@Override
	public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		if (this.runtime.isWaitingToServe()) {
			// A standby's own warm-up, before it serves
			chain.doFilter(request, response);
			return;
		}
		this.runtime.countRequest();
		try {
			chain.doFilter(request, response);
		}
		catch (IOException | ServletException | RuntimeException | Error ex) {
			VirtualMachineError error = virtualMachineError(ex);
			if (error != null) {
				this.runtime.failed("a request met " + error);
			}
			throw ex;
		}
	}

	// Frameworks wrap what a handler throws: look through the causes
	private static @Nullable VirtualMachineError virtualMachineError(Throwable failure) {
		for (Throwable candidate = failure; candidate != null; candidate = candidate.getCause()) {
			if (candidate instanceof VirtualMachineError error) {
				return error;
			}
		}
		return null;
	}

}
