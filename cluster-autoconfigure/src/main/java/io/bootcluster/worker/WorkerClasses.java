package io.bootcluster.worker;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Loads what a worker loads beyond the application: the cluster's own classes, and what
 * Jackson builds for each message on the channel. The class data archive's training run
 * runs the application alone, without a master, so without this the archive would lack
 * them, and every worker would load, parse and verify them from the jar as it starts
 * (about 450 classes). Runs on the caller's thread.
 */
public final class WorkerClasses {

	// What never runs in a worker
	private static final List<String> MASTER_ONLY = List.of("io/bootcluster/master/", "io/bootcluster/cli/");

	private WorkerClasses() {
	}

	/**
	 * Loads the cluster's classes from the jar that holds them, without initialising any,
	 * and writes and reads a sample of every message with the channel's own mapper. Nothing
	 * is loaded from a directory: a class path with one is never archived.
	 */
	public static void load() {
		ClassLoader loader = WorkerClasses.class.getClassLoader();
		for (String name : classNames(jarOf(WorkerClasses.class))) {
			try {
				Class.forName(name, false, loader);
			}
			catch (ClassNotFoundException | LinkageError ex) {
				// Support for what this application lacks (another web server, say)
			}
		}
		for (Message sample : samples()) {
			try {
				FrameCodec.prepare(sample);
			}
			catch (RuntimeException ex) {
				// Left for the first real message of its type
			}
		}
	}

	static List<String> classNames(@Nullable Path jar) {
		List<String> names = new ArrayList<>();
		if (jar == null || !Files.isRegularFile(jar)) {
			return names;
		}
		try (JarFile file = new JarFile(jar.toFile())) {
			Enumeration<JarEntry> entries = file.entries();
			while (entries.hasMoreElements()) {
				String entry = entries.nextElement().getName();
				if (entry.startsWith("io/bootcluster/") && entry.endsWith(".class")
						&& MASTER_ONLY.stream().noneMatch(entry::startsWith) && !entry.endsWith("package-info.class")) {
					names.add(entry.substring(0, entry.length() - ".class".length()).replace('/', '.'));
				}
			}
		}
		catch (IOException ex) {
			// Not a jar this JVM can read: nothing to load ahead
		}
		return names;
	}

	private static @Nullable Path jarOf(Class<?> type) {
		CodeSource source = type.getProtectionDomain().getCodeSource();
		try {
			URL location = (source != null) ? source.getLocation() : null;
			return (location != null && "file".equals(location.getProtocol())) ? Path.of(location.toURI()) : null;
		}
		catch (URISyntaxException | IllegalArgumentException ex) {
			return null;
		}
	}

	// A message of every type, its fields zero, false or empty
	static Message[] samples() {
		List<Message> samples = new ArrayList<>();
		for (Class<?> type : Message.class.getPermittedSubclasses()) {
			RecordComponent[] components = type.getRecordComponents();
			if (components == null) {
				continue;
			}
			try {
				Class<?>[] types = new Class<?>[components.length];
				Object[] values = new Object[components.length];
				for (int i = 0; i < components.length; i++) {
					types[i] = components[i].getType();
					values[i] = emptyValue(types[i]);
				}
				Constructor<?> constructor = type.getDeclaredConstructor(types);
				samples.add((Message) constructor.newInstance(values));
			}
			catch (ReflectiveOperationException | RuntimeException ex) {
				// A type that takes no empty values is left for its first real message
			}
		}
		return samples.toArray(new Message[0]);
	}

	private static @Nullable Object emptyValue(Class<?> type) {
		if (type == boolean.class) {
			return false;
		}
		if (type == int.class) {
			return 0;
		}
		if (type == long.class) {
			return 0L;
		}
		if (type == double.class) {
			return 0.0;
		}
		if (type == String.class) {
			return "";
		}
		if (type == List.class) {
			return List.of();
		}
		if (type == JsonNode.class) {
			return FrameCodec.mapper().createObjectNode();
		}
		return null;
	}

}
