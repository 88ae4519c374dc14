package io.bootcluster.master;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MasterFootprintTests {

	@Test
	void shrinkingTurnsOnIdleCollectionsWithG1() {
		assumeTrue(ManagementFactory.getGarbageCollectorMXBeans()
			.stream()
			.map(GarbageCollectorMXBean::getName)
			.anyMatch((name) -> name.startsWith("G1")), "G1 runs this test's JVM");
		HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
		String before = hotSpot.getVMOption("G1PeriodicGCInterval").getValue();
		assumeTrue(before.equals("0"), "no idle collections configured for this test's JVM");
		try {
			MasterFootprint.shrink();
			assertThat(hotSpot.getVMOption("G1PeriodicGCInterval").getValue()).isEqualTo("60000");
		}
		finally {
			hotSpot.setVMOption("G1PeriodicGCInterval", before);
		}
	}

}
