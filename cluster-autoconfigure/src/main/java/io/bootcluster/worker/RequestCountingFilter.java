package io.bootcluster.worker;

import java.io.IOException;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

/**
 * Counts the requests a servlet worker serves, for the master's view of the cluster.
 */
public class RequestCountingFilter implements Filter {

	private final WorkerRuntime runtime;

	public RequestCountingFilter(WorkerRuntime runtime) {
		this.runtime = runtime;
	}

	@Override
	public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		this.runtime.countRequest();
		chain.doFilter(request, response);
	}

}
