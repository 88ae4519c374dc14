package io.bootcluster.sample.shop;

import java.security.Principal;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * An application shaped like many that users run: JPA on the embedded database Boot
 * configures when H2 is on the class path, Spring Security with a form login, a
 * {@code @Scheduled} job. Started as a cluster by {@code ShopApplicationIT}.
 */
@SpringBootApplication
@EnableScheduling
public class ShopApplication {

	private static final Log logger = LogFactory.getLog(ShopApplication.class);

	public static void main(String[] args) {
		SpringApplication.run(ShopApplication.class, args);
	}

	@Bean
	SecurityFilterChain security(HttpSecurity http) throws Exception {
		return http
			.authorizeHttpRequests((requests) -> requests.requestMatchers("/products/**", "/actuator/**")
				.permitAll()
				.anyRequest()
				.authenticated())
			// The token in a cookie too, which the cluster page sends back with its commands
			.csrf((csrf) -> csrf.spa().ignoringRequestMatchers("/products/**"))
			.formLogin(Customizer.withDefaults())
			.build();
	}

	@Bean
	InMemoryUserDetailsManager users() {
		return new InMemoryUserDetailsManager(User.withUsername("shopper").password("{noop}secret").roles("USER").build());
	}

	@Scheduled(fixedRate = 2000)
	void reportStock() {
		logger.info("Stock report");
	}

	@RestController
	static class ProductController {

		private final Products products;

		private final int worker;

		ProductController(Products products, @Value("${cluster.worker.id:0}") int worker) {
			this.products = products;
			this.worker = worker;
		}

		@PostMapping("/products")
		Map<String, Object> add(@RequestParam String name) {
			return Map.of("worker", this.worker, "id", this.products.save(new Product(name)).getId());
		}

		@GetMapping("/products")
		Map<String, Object> find(@RequestParam String name) {
			return Map.of("worker", this.worker, "found", this.products.findByName(name).size());
		}

		// Behind the login
		@GetMapping("/account")
		Map<String, Object> account(Principal user) {
			return Map.of("worker", this.worker, "user", user.getName());
		}

	}

}
