package io.bootcluster.internal.ipc;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class ChannelAddressTests {

	@TempDir
	Path root;

	@Test
	void directoriesOfMastersThatAreGoneAreRemoved() throws Exception {
		Process finished = new ProcessBuilder("true").start();
		finished.waitFor();
		ProcessHandle self = ProcessHandle.current();
		long started = self.info().startInstant().orElseThrow().toEpochMilli();
		Path dead = channelDirectory("cluster-dead", finished.pid() + " 1");
		Path live = channelDirectory("cluster-live", self.pid() + " " + started);
		Path reused = channelDirectory("cluster-reused", self.pid() + " " + (started - 1000));
		Path unknown = Files.createDirectory(this.root.resolve("cluster-unknown"));
		Path other = Files.createDirectory(this.root.resolve("something-else"));
		assertThat(ChannelAddress.removeAbandoned(this.root)).isEqualTo(2);
		assertThat(dead).doesNotExist();
		assertThat(reused).doesNotExist();
		assertThat(live).exists();
		assertThat(unknown).exists();
		assertThat(other).exists();
	}

	@Test
	void createdDirectoryNamesItsMaster() throws Exception {
		ChannelAddress address = ChannelAddress.create();
		try {
			assertThat(Files.readString(address.socket().resolveSibling("master")))
				.startsWith(ProcessHandle.current().pid() + " ");
		}
		finally {
			address.delete();
		}
		assertThat(address.socket().getParent()).doesNotExist();
	}

	private Path channelDirectory(String name, String owner) throws Exception {
		Path directory = Files.createDirectory(this.root.resolve(name));
		Files.writeString(directory.resolve("master"), owner);
		Files.createFile(directory.resolve("master.sock"));
		return directory;
	}

}
