#!/usr/bin/env bash
# A chaos run: a 2-worker cluster with a standby under keep-alive load, and a seeded
# random schedule of faults (workers killed or stopped past the heartbeat timeout, the
# whole cluster stopped, a worker out of memory, rolling restarts and scaling among the
# faults, message bursts, garbage on the channel, a stalled reader of the master's
# output), then SIGTERM and the checks, then runs where the master is killed at a random
# moment. The build runs a one-minute version of it (ChaosIT).
# Usage: benchmarks/chaos.sh [seed] [seconds] [master kills]
# Last line: chaos: <faults> faults, <requests> requests, <failed> failed (<n> in flight on
# killed workers), recovered in <s> s, 0 orphans
set -euo pipefail
cd "$(dirname "$0")/.."

SEED=${1:-1}
SECONDS_OF_FAULTS=${2:-180}
MASTER_KILLS=${3:-3}
mvn -B -q -DskipTests install
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
(cd cluster-autoconfigure && mvn -B -q dependency:build-classpath -Dmdep.includeScope=test \
	-Dmdep.outputFile="$WORK/classpath.txt")
CLASSPATH="cluster-autoconfigure/target/test-classes:cluster-autoconfigure/target/classes:$(cat "$WORK/classpath.txt")"
(cd cluster-autoconfigure && java -cp "$(sed "s|cluster-autoconfigure/||g" <<< "$CLASSPATH")" \
	io.bootcluster.chaos.ChaosRun "$SEED" "$SECONDS_OF_FAULTS" "$MASTER_KILLS")
