#!/usr/bin/env bash
# What clients see while the sample cluster (2 workers) is restarted worker by worker
# (SIGHUP to the master), and while one worker is killed with SIGKILL: wrk keeps 16
# keep-alive connections busy throughout, and every request that fails is counted.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
mvn -B -q -DskipTests package -pl sample-app -am

PORT=${PORT:-18380}
MASTER_PORT=${MASTER_PORT:-18381}
WORK=$(mktemp -d)
java -jar sample-app/target/sample-app.jar --server.port="$PORT" --cluster.workers=2 \
	--cluster.master.management-port="$MASTER_PORT" >"$WORK/cluster.log" 2>&1 &
MASTER=$!
trap 'kill -TERM $MASTER 2>/dev/null; wait $MASTER 2>/dev/null; rm -rf "$WORK"' EXIT

status() { curl -s "http://127.0.0.1:$MASTER_PORT/actuator/cluster" || true; }
listening() { status | grep -o '"state":"listening"' | wc -l; }
await_listening() {
	for _ in $(seq 1 240); do
		[ "$(listening)" -ge 2 ] && ! status | grep -q '"state":"running"' && return 0
		sleep 0.5
	done
	echo "The cluster did not get 2 workers listening; its log: $WORK/cluster.log" >&2
	exit 1
}

# One line from wrk's report: requests, and every request that did not get a 2xx
summarize() {
	local report=$1
	local requests non2xx errors
	requests=$(grep -oE '^ +[0-9]+ requests in' "$report" | grep -oE '[0-9]+')
	non2xx=$(grep -oE 'Non-2xx or 3xx responses: [0-9]+' "$report" | grep -oE '[0-9]+$' || echo 0)
	errors=$(grep -oE 'Socket errors: connect [0-9]+, read [0-9]+, write [0-9]+, timeout [0-9]+' "$report" \
		| grep -oE '[0-9]+' | paste -sd+ | bc || true)
	echo "$requests requests, $((non2xx + ${errors:-0})) failed"
}

# wrk runs until the cluster is whole again, plus two seconds; SIGINT makes it report
start_wrk() {
	wrk -t2 -c16 -d300s "http://127.0.0.1:$PORT/" >"$1" &
	WRK=$!
	sleep 3
}

stop_wrk() {
	sleep 2
	kill -INT $WRK
	wait $WRK || true
	echo "wrk during $2:"
	sed 's/^/  /' "$1"
}

await_line() {
	for _ in $(seq 1 240); do
		grep -q "$1" "$WORK/cluster.log" && return 0
		sleep 0.5
	done
	echo "No '$1' in the cluster's log: $WORK/cluster.log" >&2
	exit 1
}

await_listening
start_wrk "$WORK/restart.txt"
kill -HUP $MASTER
await_line "Rolling restart done"
stop_wrk "$WORK/restart.txt" "rolling restart"

await_listening
start_wrk "$WORK/kill.txt"
VICTIM=$(status | grep -oE '"pid":[0-9]+' | head -1 | grep -oE '[0-9]+')
kill -KILL "$VICTIM"
sleep 1
await_listening
stop_wrk "$WORK/kill.txt" "worker SIGKILL"

echo "rolling restart: $(summarize "$WORK/restart.txt")"
echo "worker SIGKILL: $(summarize "$WORK/kill.txt")"
