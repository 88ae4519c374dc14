#!/usr/bin/env bash
# Round trips per second and latency between a master and one worker, through the
# cluster's channel (Unix domain socket, JSON frames) and its messengers: the worker asks,
# a listener in the master answers. Last line: ipc: <N> round trips/s, p50 <X> us, p99 <Y> us
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B -q -DskipTests install -pl cluster-autoconfigure -am
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
(cd cluster-autoconfigure && mvn -B -q dependency:build-classpath -Dmdep.outputFile="$WORK/classpath.txt")
CLASSPATH="cluster-autoconfigure/target/classes:$(cat "$WORK/classpath.txt")"
javac -d "$WORK" -cp "$CLASSPATH" benchmarks/ipc/IpcBenchmark.java
java -cp "$WORK:$CLASSPATH" IpcBenchmark master
