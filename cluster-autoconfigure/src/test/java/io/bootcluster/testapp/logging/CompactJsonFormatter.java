package io.bootcluster.testapp.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.logging.structured.JsonWriterStructuredLogFormatter;
import org.springframework.boot.logging.structured.StructuredLoggingJsonMembersCustomizer;

/**
 * A structured log format of the application's own, as {@code logging.structured.format.console}
 * may name one: it takes Boot's members customizer, so {@code logging.structured.json.add}
 * applies to it too.
 */
public class CompactJsonFormatter extends JsonWriterStructuredLogFormatter<ILoggingEvent> {

	public CompactJsonFormatter(@Nullable StructuredLoggingJsonMembersCustomizer<?> customizer) {
		super((members) -> {
			members.add("time", ILoggingEvent::getTimeStamp);
			members.add("severity", ILoggingEvent::getLevel);
			members.add("text", ILoggingEvent::getFormattedMessage);
		}, customizer);
	}

}
