package io.bootcluster.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmarks' Java sources compile against the code as it is: they are run by hand, so
 * nothing else would tell that a change broke them.
 */
class BenchmarkSourcesTests {

	private static final Path BENCHMARKS = Path.of("..", "benchmarks");

	@TempDir
	Path classes;

	@Test
	void benchmarkSourcesCompile() throws IOException {
		List<String> sources;
		try (Stream<Path> files = Files.walk(BENCHMARKS)) {
			sources = files.filter((file) -> file.toString().endsWith(".java")).map(Path::toString).toList();
		}
		assertThat(sources).isNotEmpty();
		JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
		List<String> arguments = new ArrayList<>(List.of("-proc:none", "-d", this.classes.toString(), "-cp",
				System.getProperty("java.class.path")));
		arguments.addAll(sources);
		ByteArrayOutputStream errors = new ByteArrayOutputStream();
		int result = compiler.run(null, null, errors, arguments.toArray(String[]::new));
		assertThat(result).as(errors.toString(StandardCharsets.UTF_8)).isZero();
	}

}
