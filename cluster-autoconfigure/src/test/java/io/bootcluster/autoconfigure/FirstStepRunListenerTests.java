package io.bootcluster.autoconfigure;

import java.util.Set;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationListener;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first step's changes to the application, on the listeners Spring Boot really
 * loads.
 */
class FirstStepRunListenerTests {

	private static final Predicate<ApplicationListener<?>> PREINITIALIZER = (listener) -> listener.getClass()
		.getPackageName()
		.equals("org.springframework.boot.autoconfigure.preinitialize");

	@Test
	void aLaunchWithAPlanLosesBootsBackgroundPreinitializerAndNothingElse() {
		SpringApplication application = new SpringApplication(Object.class);
		Set<ApplicationListener<?>> listeners = application.getListeners();
		assertThat(listeners).filteredOn(PREINITIALIZER).hasSize(1);
		FirstStepRunListener.withoutBackgroundPreinitializer(application);
		assertThat(application.getListeners()).noneMatch(PREINITIALIZER)
			.containsExactlyElementsOf(listeners.stream().filter(PREINITIALIZER.negate()).toList());
	}

}
