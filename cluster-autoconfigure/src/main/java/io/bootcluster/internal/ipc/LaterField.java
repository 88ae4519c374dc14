package io.bootcluster.internal.ipc;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import com.fasterxml.jackson.annotation.JacksonAnnotationsInside;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

/**
 * Marks a field a message gained after its first release: left out of the frame when it
 * holds its default (zero, {@code false}), and read as that default when a frame lacks it.
 * A master and its workers may be of two builds (a jar replaced in place, then a rolling
 * restart), and Jackson refuses a frame that lacks a primitive by default.
 */
@Target({ ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD, ElementType.RECORD_COMPONENT })
@Retention(RetentionPolicy.RUNTIME)
@JacksonAnnotationsInside
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
@JsonSetter(nulls = Nulls.AS_EMPTY)
@interface LaterField {

}
