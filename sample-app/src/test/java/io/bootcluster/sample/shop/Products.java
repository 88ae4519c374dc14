package io.bootcluster.sample.shop;

import java.util.List;

import org.springframework.data.jpa.repository.JpaRepository;

/**
 * The shop's products, in its database.
 */
public interface Products extends JpaRepository<Product, Long> {

	List<Product> findByName(String name);

}
