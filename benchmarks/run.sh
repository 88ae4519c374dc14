#!/usr/bin/env bash
# The sample app as one plain JVM and as a cluster, measured side by side in one run:
# startup (with and without the class data archive), throughput under wrk, the memory of
# the master and of each worker, and failover after a worker's SIGKILL (with and without a
# standby worker). Ends with one '<name>: <value>' line per figure.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
JAR=sample-app/target/sample-app.jar
# Builds only when a source is newer than the jar
if [ ! -f "$JAR" ] || [ -n "$(find pom.xml */pom.xml cluster-autoconfigure/src sample-app/src -newer "$JAR" -print -quit)" ]; then
	mvn -B -q -DskipTests package -pl sample-app -am
fi

PORT=${PORT:-18390}
MASTER_PORT=${MASTER_PORT:-18391}
WRK_SECONDS=${WRK_SECONDS:-10}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
WORK=$(mktemp -d)
APP=
trap 'stop; rm -rf "$WORK"' EXIT

now() { date +%s%3N; }

stop() {
	if [ -n "$APP" ]; then
		kill -TERM "$APP" 2>/dev/null || true
		wait "$APP" 2>/dev/null || true
		APP=
	fi
}

# Waits for a command to succeed, for at most two minutes. Times come from the logs, so
# the polling can be slow and leave the CPU to what is measured
await() {
	for _ in $(seq 1 1200); do
		"$@" && return 0
		sleep 0.1
	done
	echo "Gave up waiting for: $*; logs in $WORK" >&2
	exit 1
}

answers() { curl -sf -o /dev/null "http://127.0.0.1:$PORT/"; }
status() { curl -sf "http://127.0.0.1:$MASTER_PORT/actuator/cluster" || true; }
# Every worker the cluster wants is listening (a standby does not count until it takes over)
all_listening() {
	local json desired
	json=$(status)
	desired=$(grep -oE '"desiredWorkers":[0-9]+' <<<"$json" | grep -oE '[0-9]+$') || return 1
	[ "$(grep -o '"state":"listening"' <<<"$json" | wc -l)" -ge "$desired" ]
}
in_log() { grep -aq "$1" "$WORK/$2"; }
# Epoch milliseconds of the last line of a log that matches, from the time it starts with
logged_at() {
	local line
	line=$(grep -a "$1" "$WORK/$2" | tail -1)
	[ -n "$line" ] || { echo "No '$1' in $WORK/$2" >&2; exit 1; }
	date -d "$(cut -d' ' -f1 <<<"$line")" +%s%3N
}

single() {
	"$JAVA" -jar "$JAR" --server.port="$PORT" --cluster.enabled=false >"$WORK/single.log" 2>&1 &
	APP=$!
}

# cluster <log> [arguments...]
cluster() {
	local log=$1
	shift
	"$JAVA" -jar "$JAR" --server.port="$PORT" --cluster.workers=auto --cluster.master.management-port="$MASTER_PORT" \
		--cluster.worker.class-data-sharing.directory="$WORK/cds" "$@" >"$WORK/$log" 2>&1 &
	APP=$!
}

rate() { wrk -t2 -c32 -d"$1" "http://127.0.0.1:$PORT/" | tee "$WORK/$2" | grep -oE 'Requests/sec: +[0-9.]+' | grep -oE '[0-9.]+$'; }

# Steady-state requests/s: every JVM compiles its hot code as it serves, and each worker
# of a cluster sees a share of the requests, so load runs until two rounds in a row agree
# within 5% (at most 90 s) before the measured round
requests_per_second() {
	local previous=0 current
	for _ in $(seq 1 18); do
		current=$(rate 5s warmup.txt)
		awk -v a="$previous" -v b="$current" 'BEGIN { exit !(a > 0 && b < a * 1.05 && b > a * 0.95) }' && break
		previous=$current
	done
	rate "${WRK_SECONDS}s" "$1"
}

rss_mib() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# Milliseconds from a SIGKILL of one worker until as many workers listen as before
failover() {
	local log=$1 victim killed listened
	victim=$(status | grep -oE '"pid":[0-9]+,"state":"listening"' | head -1 | grep -oE '[0-9]+')
	[ -n "$victim" ] || { echo "No listening worker to kill; logs in $WORK" >&2; exit 1; }
	killed=$(now)
	kill -KILL "$victim"
	await in_log "(pid $victim) died" "$log"
	await all_listening
	listened=$(logged_at "is listening on" "$log")
	echo $((listened - killed))
}

echo "Machine: $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr), $("$JAVA" -version 2>&1 | head -1)"

echo "One plain JVM..."
started=$(now)
single
await answers
startup_single=$(($(logged_at "Tomcat started on port" single.log) - started))
throughput_single=$(requests_per_second wrk-single.txt)
stop

echo "Cluster without a class data archive..."
started=$(now)
cluster plain.log --cluster.worker.class-data-sharing.enabled=false
await all_listening
startup_plain=$(($(logged_at "is listening on" plain.log) - started))
workers=$(status | grep -oE '"desiredWorkers":[0-9]+' | grep -oE '[0-9]+$')
failover_plain=$(failover plain.log)
stop

echo "Creating the class data archive..."
cluster training.log
await in_log "Created the class data archive\|Could not create a class data archive" training.log
in_log "Created the class data archive" training.log || { echo "No class data archive; logs in $WORK" >&2; exit 1; }
stop

echo "Cluster with the archive..."
started=$(now)
cluster archived.log
await all_listening
startup_archived=$(($(logged_at "is listening on" archived.log) - started))
first_fork=$(($(logged_at "Starting [0-9]* workers" archived.log) - started))
throughput_cluster=$(requests_per_second wrk-cluster.txt)
rss_master=$(rss_mib "$APP")
rss_workers=()
for pid in $(status | grep -oE '"pid":[0-9]+,"state":"listening"' | grep -oE '[0-9]+'); do
	rss_workers+=("$(rss_mib "$pid")")
done
[ ${#rss_workers[@]} -gt 0 ] || { echo "No listening worker to measure; logs in $WORK" >&2; exit 1; }
stop

echo "Cluster with the archive and a standby worker..."
cluster standby.log --cluster.standby-workers=1
await all_listening
await in_log "is ready to take over" standby.log
failover_standby=$(failover standby.log)
stop

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
worker_total=0
for rss in "${rss_workers[@]}"; do worker_total=$((worker_total + rss)); done
echo
echo "workers: $workers"
echo "startup single: $startup_single ms"
echo "startup cluster without archive: $startup_plain ms"
echo "startup cluster with archive: $startup_archived ms"
echo "master startup to first fork: $first_fork ms"
echo "startup ratio cluster/single without archive: $(ratio "$startup_plain" "$startup_single")"
echo "startup ratio cluster/single with archive: $(ratio "$startup_archived" "$startup_single")"
echo "throughput single: $throughput_single req/s"
echo "throughput cluster: $throughput_cluster req/s"
echo "throughput ratio cluster/single: $(ratio "$throughput_cluster" "$throughput_single")"
echo "rss master: $rss_master MiB"
for i in "${!rss_workers[@]}"; do
	echo "rss worker $((i + 1)): ${rss_workers[$i]} MiB"
done
echo "rss ratio master/worker: $(ratio "$rss_master" "$((worker_total / ${#rss_workers[@]}))")"
echo "failover without standby: $failover_plain ms"
echo "failover with standby: $failover_standby ms"
