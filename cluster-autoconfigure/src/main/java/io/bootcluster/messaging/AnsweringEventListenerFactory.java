package io.bootcluster.messaging;

import java.lang.reflect.Method;
import java.util.concurrent.CompletionStage;

import io.bootcluster.ClusterMessageEvent;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ApplicationListenerMethodAdapter;
import org.springframework.context.event.EventListenerFactory;
import org.springframework.core.Ordered;

/**
 * Lets an {@code @EventListener} method that takes a {@link ClusterMessageEvent} answer a
 * request by returning a value (or a {@link CompletionStage} of one). Spring would publish
 * the value as an event of its own; for a request, it becomes the answer instead.
 */
public class AnsweringEventListenerFactory implements EventListenerFactory, Ordered {

	@Override
	public int getOrder() {
		// Before Spring's own factory, which takes every method
		return Ordered.LOWEST_PRECEDENCE - 1;
	}

	@Override
	public boolean supportsMethod(Method method) {
		for (Class<?> parameter : method.getParameterTypes()) {
			if (ClusterMessageEvent.class.isAssignableFrom(parameter)) {
				return true;
			}
		}
		return false;
	}

	@Override
	public ApplicationListener<?> createApplicationListener(String beanName, Class<?> type, Method method) {
		return new AnsweringListener(beanName, type, method);
	}

	private static final class AnsweringListener extends ApplicationListenerMethodAdapter {

		// The event being handled on this thread, for handleResult, which Spring calls
		// without it
		private static final ThreadLocal<ClusterMessageEvent> handling = new ThreadLocal<>();

		AnsweringListener(String beanName, Class<?> type, Method method) {
			super(beanName, type, method);
		}

		@Override
		public void processEvent(ApplicationEvent event) {
			if (!(event instanceof ClusterMessageEvent message)) {
				super.processEvent(event);
				return;
			}
			handling.set(message);
			try {
				super.processEvent(event);
			}
			finally {
				handling.remove();
			}
		}

		// Called only once the listener's condition has let the event through
		@Override
		protected @Nullable Object doInvoke(@Nullable Object... args) {
			if (handling.get() != null) {
				ChannelMessenger.taken();
			}
			return super.doInvoke(args);
		}

		@Override
		protected void handleResult(@Nullable Object result) {
			ClusterMessageEvent message = handling.get();
			if (message == null || !message.isRequest()) {
				super.handleResult(result);
			}
			else if (result instanceof CompletionStage<?> stage) {
				message.willReply();
				stage.whenComplete((value, failure) -> {
					if (failure != null) {
						message.fail(String.valueOf(failure.getMessage()));
					}
					else {
						message.reply(value);
					}
				});
			}
			else if (result != null) {
				message.reply(result);
			}
		}

	}

}
