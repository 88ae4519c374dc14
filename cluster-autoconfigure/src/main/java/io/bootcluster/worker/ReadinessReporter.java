package io.bootcluster.worker;

import io.bootcluster.internal.ipc.Message;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;

/**
 * Tells the master when the application's readiness changes. A replacement worker must be
 * ready, not merely listening, before the master retires the worker it replaces.
 */
public class ReadinessReporter implements ApplicationListener<AvailabilityChangeEvent<?>> {

	private final WorkerRuntime runtime;

	public ReadinessReporter(WorkerRuntime runtime) {
		this.runtime = runtime;
	}

	@Override
	public void onApplicationEvent(AvailabilityChangeEvent<?> event) {
		if (event.getState() instanceof ReadinessState readiness) {
			this.runtime.tell(new Message.Ready(readiness == ReadinessState.ACCEPTING_TRAFFIC));
		}
	}

}
