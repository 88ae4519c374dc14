#!/usr/bin/env bash
# What a request that reads and saves an HTTP session takes, one at a time: a cluster of two
# workers whose master keeps the sessions, beside one plain JVM on Spring Session's map
# store, in one run; on a kept-alive connection, and on a new connection each time. Last lines:
# sessions none: ... / sessions new connections: ... / sessions map store: p50 <X> us, p99 <Y> us /
# sessions cluster: ... / sessions added: ...
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B -q -DskipTests install
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# The sample's runtime class path: Spring MVC, Spring Session and the starter
(cd sample-app && mvn -B -q dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile="$WORK/classpath.txt")
CLASSPATH="$(cat "$WORK/classpath.txt")"
javac -proc:none -d "$WORK" -cp "$CLASSPATH" benchmarks/sessions/SessionBenchmark.java
java -cp "$WORK:$CLASSPATH" sessions.SessionBenchmark measure "${PORT:-18395}"
