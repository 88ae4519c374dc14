#!/usr/bin/env bash
# The cluster's channel (Unix domain socket, JSON frames) and its messengers, beside Node's
# cluster channel (process.send) when `node` is on the path and the floor under any channel
# between two JVMs, in one run: round trips (a worker asks, the master answers, one at a
# time), a one-way burst of 100,000 messages of about 100 bytes, and worker to worker
# through the master. Last lines:
# ipc: <N> round trips/s, p50 <X> us, p99 <Y> us / ipc node: ... / ipc burst: <N> messages/s (node <M>)
# ipc worker to worker: ... / ipc floor: ...
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B -q -DskipTests install -pl cluster-autoconfigure -am
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
(cd cluster-autoconfigure && mvn -B -q dependency:build-classpath -Dmdep.outputFile="$WORK/classpath.txt")
CLASSPATH="cluster-autoconfigure/target/classes:$(cat "$WORK/classpath.txt")"
javac -d "$WORK" -cp "$CLASSPATH" benchmarks/ipc/IpcBenchmark.java benchmarks/ipc/Floor.java

# Warnings only: the burst's messages are published to no @EventListener, which is warned about
cat > "$WORK/logback.xml" <<'XML'
<configuration>
  <appender name="out" class="ch.qos.logback.core.ConsoleAppender"><encoder><pattern>%msg%n</pattern></encoder></appender>
  <logger name="io.bootcluster.messaging.ChannelMessenger" level="ERROR"/>
  <root level="WARN"><appender-ref ref="out"/></root>
</configuration>
XML
java -cp "$WORK" Floor | tee "$WORK/floor.txt"
java -Dlogback.configurationFile="$WORK/logback.xml" -cp "$WORK:$CLASSPATH" IpcBenchmark master | tee "$WORK/cluster.txt"
if command -v node >/dev/null; then
	node benchmarks/ipc/node-cluster.js | tee "$WORK/node.txt"
else
	echo "node is not on the path: Node's figures are left out"
	touch "$WORK/node.txt"
fi

line() { grep -h "^$1:" "$WORK"/*.txt | head -1 || true; }
rate() { line "$1" | sed -E 's/^[^:]*: ([0-9]+) .*/\1/'; }
echo
line "ipc"
line "ipc request"
line "ipc node"
burst=$(rate "ipc burst")
node_burst=$(rate "ipc node burst")
echo "ipc burst: ${burst} messages/s (node ${node_burst:-not run})"
line "ipc worker to worker"
line "ipc node worker to worker"
line "ipc floor"
