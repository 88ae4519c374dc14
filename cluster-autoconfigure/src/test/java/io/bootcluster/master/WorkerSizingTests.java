package io.bootcluster.master;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sizing plans for simulated machines and containers.
 */
class WorkerSizingTests {

	private static final long GIB = 1024L * 1024 * 1024;

	private static final long MIB = 1024L * 1024;

	@Test
	void autoTakesOneWorkerPerCpuWhenMemoryAllows() {
		WorkerSizing sizing = WorkerSizing.plan(null, 2, 24 * GIB, 512 * MIB, List.of(), List.of());
		assertThat(sizing.workers()).isEqualTo(2);
		assertThat(sizing.heapOption()).isEqualTo("-XX:MaxRAMPercentage=37.5");
		assertThat(sizing.description()).isEqualTo(
				"2 workers: cluster.workers=auto, 2 CPUs; heap up to 9.0 GiB each (-XX:MaxRAMPercentage=37.5, of 24.0 GiB)");
	}

	@Test
	void autoInASmallContainerStartsNoMoreWorkersThanItsMemoryHolds() {
		WorkerSizing sizing = WorkerSizing.plan(null, 8, 2 * GIB, 512 * MIB, List.of(), List.of());
		assertThat(sizing.workers()).isEqualTo(4);
		assertThat(sizing.heapOption()).isEqualTo("-XX:MaxRAMPercentage=18.8");
		assertThat(sizing.description()).startsWith(
				"4 workers: cluster.workers=auto, 8 CPUs, but only 4 fit in 2.0 GiB at 512 MiB each (cluster.worker.min-memory)");
	}

	@Test
	void autoAlwaysStartsOneWorker() {
		assertThat(WorkerSizing.plan(null, 4, 256 * MIB, 512 * MIB, List.of(), List.of()).workers()).isEqualTo(1);
	}

	@Test
	void configuredCountIsKeptButAnOvercommitIsSaid() {
		WorkerSizing sizing = WorkerSizing.plan(6, 2, 1 * GIB, 512 * MIB, List.of(), List.of());
		assertThat(sizing.workers()).isEqualTo(6);
		assertThat(sizing.description()).contains("as configured",
				"WARNING: 1.0 GiB of memory is less than 6 workers need at 512 MiB each");
	}

	@Test
	void userHeapSettingsWin() {
		for (String option : List.of("-Xmx1g", "-XX:MaxRAMPercentage=50", "-XX:MaxHeapSize=2g", "-XX:MaxRAM=4g")) {
			WorkerSizing sizing = WorkerSizing.plan(null, 2, 8 * GIB, 512 * MIB, List.of("-Dx=1", option), List.of());
			assertThat(sizing.heapOption()).as(option).isNull();
			assertThat(sizing.description()).endsWith("; heap as the JVM options say");
		}
	}

	@Test
	void aHeapSizedForOneJvmInTheEnvironmentIsOverriddenWithEachWorkersShare() {
		WorkerSizing sizing = WorkerSizing.plan(null, 2, 2 * GIB, 512 * MIB, List.of(),
				List.of("-XX:MaxDirectMemorySize=10M", "-Xmx1300M"));
		assertThat(sizing.heapOption()).as("half of what one JVM was given").isEqualTo("-Xmx650m");
		assertThat(sizing.heapOptionFor(3)).as("scaled up").isEqualTo("-Xmx433m");
		assertThat(sizing.description()).contains("heap up to 650 MiB each (-Xmx650m, of 2.0 GiB)",
				"-Xmx1300M in JAVA_TOOL_OPTIONS or JDK_JAVA_OPTIONS sizes one JVM, not each of the workers");
	}

	@Test
	void aHeapInTheEnvironmentLargerThanTheMemorysShareLeavesEachWorkerItsShare() {
		WorkerSizing sizing = WorkerSizing.plan(null, 2, 2 * GIB, 512 * MIB, List.of(),
				List.of("-XX:MaxRAMPercentage=90"));
		assertThat(sizing.heapOption()).isEqualTo("-Xmx768m");
	}

	@Test
	void heapOptionsAreReadAsTheJvmReadsThem() {
		assertThat(WorkerSizing.bytes("-Xmx1g", GIB)).isEqualTo(GIB);
		assertThat(WorkerSizing.bytes("-Xmx512M", GIB)).isEqualTo(512 * MIB);
		assertThat(WorkerSizing.bytes("-XX:MaxHeapSize=1048576", GIB)).isEqualTo(MIB);
		assertThat(WorkerSizing.bytes("-XX:MaxRAMPercentage=25.0", 4 * GIB)).isEqualTo(GIB);
		assertThat(WorkerSizing.bytes("-XX:MaxRAM=4g", GIB)).isEqualTo(-1);
		assertThat(WorkerSizing.bytes("-Xmxlots", GIB)).isEqualTo(-1);
	}

	@Test
	void aHeapOnTheCommandLineWinsOverTheEnvironment() {
		WorkerSizing sizing = WorkerSizing.plan(null, 2, 2 * GIB, 512 * MIB, List.of("-Xmx300m"),
				List.of("-Xmx1300M"));
		assertThat(sizing.heapOption()).isNull();
		assertThat(sizing.environmentHeap()).isNull();
		assertThat(sizing.description()).endsWith("; heap as the JVM options say");
	}

}
