package io.bootcluster.sample.shop;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;

/**
 * What the shop sells.
 */
@Entity
public class Product {

	@Id
	@GeneratedValue
	private Long id;

	private String name;

	protected Product() {
	}

	Product(String name) {
		this.name = name;
	}

	public Long getId() {
		return this.id;
	}

	public String getName() {
		return this.name;
	}

}
