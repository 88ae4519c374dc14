package io.bootcluster.testapp.failing;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * An application whose every start fails, as a broken build's would.
 */
@SpringBootApplication
public class FailingApplication {

	public static void main(String[] args) {
		SpringApplication.run(FailingApplication.class, args);
	}

	@Bean
	Object brokenBean() {
		throw new IllegalStateException("this build is broken");
	}

}
