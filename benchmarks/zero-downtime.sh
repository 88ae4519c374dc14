#!/usr/bin/env bash
# What clients see while the sample cluster (2 workers) is restarted worker by worker
# (SIGHUP to the master), again with every core kept busy by a spinning process beside
# the load, and while one worker is killed with SIGKILL: wrk keeps 16 keep-alive
# connections busy throughout, and every request that fails is counted.
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
BURNERS=()
cleanup() {
	kill ${BURNERS[@]+"${BURNERS[@]}"} 2>/dev/null || true
	kill -TERM $MASTER 2>/dev/null || true
	wait $MASTER 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

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

# Waits for the Nth line (1 by default) matching a pattern in the cluster's log
await_line() {
	for _ in $(seq 1 600); do
		[ "$(grep -c "$1" "$WORK/cluster.log")" -ge "${2:-1}" ] && return 0
		sleep 0.5
	done
	echo "No '$1' (${2:-1}) in the cluster's log: $WORK/cluster.log" >&2
	exit 1
}

# A rolling restart under load; prints how long it took
restart() {
	local started=$(date +%s%N)
	kill -HUP $MASTER
	await_line "Rolling restart done" "$1"
	echo "$(( ($(date +%s%N) - started) / 1000000 ))"
}

await_listening
start_wrk "$WORK/restart.txt"
RESTART_MS=$(restart 1)
stop_wrk "$WORK/restart.txt" "rolling restart"

await_listening
for _ in $(seq 1 "$(nproc)"); do
	sh -c 'while :; do :; done' &
	BURNERS+=($!)
done
start_wrk "$WORK/busy.txt"
BUSY_RESTART_MS=$(restart 2)
stop_wrk "$WORK/busy.txt" "rolling restart, every core busy"
kill "${BURNERS[@]}"
BURNERS=()

await_listening
start_wrk "$WORK/kill.txt"
VICTIM=$(status | grep -oE '"pid":[0-9]+' | head -1 | grep -oE '[0-9]+')
kill -KILL "$VICTIM"
sleep 1
await_listening
stop_wrk "$WORK/kill.txt" "worker SIGKILL"

echo "rolling restart: $(summarize "$WORK/restart.txt"), took $RESTART_MS ms"
echo "rolling restart, every core busy: $(summarize "$WORK/busy.txt"), took $BUSY_RESTART_MS ms" \
	"($(echo "scale=2; $BUSY_RESTART_MS / $RESTART_MS" | bc)x)"
echo "worker SIGKILL: $(summarize "$WORK/kill.txt")"
