package io.bootcluster.worker;

import java.util.List;
import java.util.concurrent.CountDownLatch;

import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.server.SharedPortSupport;
import io.bootcluster.server.WarmUpRequests;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.SmartLifecycle;

/**
 * Holds a worker's startup just before its web server starts until its master has
 * welcomed it, and a standby's until the master activates it: every bean is created and
 * warm, but nothing listens. Taking
 * over then costs a bind and a server start, not an application start. Before it waits,
 * the standby serves itself requests on a private loopback port ({@link WarmUpRequests}),
 * so that its request path is compiled when the first client arrives, and prepares the
 * messages its takeover reads and writes. Other workers pass straight through.
 */
public class StandbyGate implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(StandbyGate.class);

	/** Requests a standby sends itself before it waits: enough for the JIT to compile. */
	static final int WARM_UP_REQUESTS = 300;

	private final WorkerRuntime runtime;

	private final List<SharedPortSupport> supports;

	private final ApplicationContext context;

	private final CountDownLatch activated = new CountDownLatch(1);

	private volatile boolean running;

	public StandbyGate(WorkerRuntime runtime, List<SharedPortSupport> supports, ApplicationContext context) {
		this.runtime = runtime;
		this.supports = supports;
		this.context = context;
		runtime.onActivation(this.activated::countDown);
	}

	@Override
	public void start() {
		// Nothing listens before the master has taken this worker: one forked ahead of its
		// master's plan (HeadStart) then never holds the port while the master checks it
		this.runtime.awaitJoined();
		if (!this.runtime.isStandby()) {
			this.running = true;
			return;
		}
		warmUp();
		prepareTakeOver();
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

	// Before it says it is ready: a takeover then never waits for the warm-up
	private void warmUp() {
		if (!(this.context instanceof WebServerApplicationContext web) || web.getWebServer() == null) {
			return;
		}
		long started = System.nanoTime();
		for (SharedPortSupport support : this.supports) {
			int served;
			try {
				served = support.warmUp(web, WARM_UP_REQUESTS);
			}
			catch (RuntimeException ex) {
				// No loopback port, say: a colder standby, still a standby
				logger.warn("Standby: worker " + this.runtime.id() + " could not warm up: " + ex.getMessage());
				return;
			}
			if (served > 0) {
				logger.info("Standby: worker " + this.runtime.id() + " served itself " + served
						+ " requests on a private port in " + (System.nanoTime() - started) / 1_000_000
						+ " ms, so that it takes over with its request path compiled");
				this.context.publishEvent(new WarmedUpEvent(this));
				return;
			}
		}
	}

	// The first message of a type read or written makes Jackson build its (de)serializer:
	// a dozen milliseconds on a small machine, which a takeover would keep clients waiting
	private void prepareTakeOver() {
		FrameCodec.prepare(new Message.Activate("", 0), new Message.Listening("", 0, true));
	}

	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * A standby served itself its warm-up requests: what counts requests may forget them.
	 */
	public static final class WarmedUpEvent extends ApplicationEvent {

		WarmedUpEvent(StandbyGate source) {
			super(source);
		}

	}

	// Just before the web server, which starts at START_STOP_LIFECYCLE_PHASE
	@Override
	public int getPhase() {
		return WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE - 1;
	}

}
