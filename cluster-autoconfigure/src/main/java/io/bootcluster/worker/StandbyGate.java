package io.bootcluster.worker;

import java.util.concurrent.CountDownLatch;

import io.bootcluster.internal.ipc.Message;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * Holds a standby worker's startup just before its web server starts: every bean is
 * created and warm, but nothing listens, until the master activates the worker. Taking
 * over then costs a bind and a server start, not an application start. Other workers pass
 * straight through.
 */
public class StandbyGate implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(StandbyGate.class);

	private final WorkerRuntime runtime;

	private final CountDownLatch activated = new CountDownLatch(1);

	private volatile boolean running;

	public StandbyGate(WorkerRuntime runtime) {
		this.runtime = runtime;
		runtime.onActivation(this.activated::countDown);
	}

	@Override
	public void start() {
		if (!this.runtime.isStandby()) {
			this.running = true;
			return;
		}
		logger.info("Standby: worker " + this.runtime.id() + " waits for the master before it serves");
		this.runtime.tell(new Message.StandbyReady(this.runtime.id()));
		try {
			this.activated.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		logger.info("Worker " + this.runtime.id() + " takes over: starting its web server");
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	// Just before the web server, which starts at START_STOP_LIFECYCLE_PHASE
	@Override
	public int getPhase() {
		return WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE - 1;
	}

}
