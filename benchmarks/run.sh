#!/usr/bin/env bash
# The sample app as one plain JVM and as a cluster, measured side by side in one run:
# startup (with and without the class data archive, to the first and to the last worker
# listening, the archived one in three rounds alternated with the plain JVM's, and the
# workers' own JVMs side by side without a master), the warm-up (seconds of load until
# requests/s reach 90% of their plateau), throughput under wrk, the memory of the master
# and of each worker, and failover after a worker's SIGKILL as a client
# sees it (three kills without a standby worker, five with). Where it may raise priorities
# (CAP_SYS_NICE), it measures the cluster's warm-up also without. Ends with one
# '<name>: <value>' line per figure. ONLY=failover measures failover with a standby alone,
# and keeps the master's log in FAILOVER_LOG (/tmp/failover.log); FAILOVER_ARGS adds
# arguments to that cluster's command line. ONLY=warm-up measures the warm-up alone, of the
# single JVM and of a cluster without the archive, to which WARM_UP_ARGS adds arguments.
# ONLY=startup measures the startup alone (three rounds, medians), with STARTUP_ARGS added
# to the cluster.
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
javac -d "$WORK" benchmarks/failover/FirstResponse.java
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

status() { curl -sf "http://127.0.0.1:$MASTER_PORT/actuator/cluster" || true; }
# As many workers listen as the master started, by its log: reading a file leaves the CPU
# to the starting workers, where asking the master's endpoint would take some of it
workers_listening() {
	local planned
	planned=$(grep -aoE 'Starting [0-9]+ workers' "$WORK/$1" | grep -oE '[0-9]+') || return 1
	[ "$(grep -ac 'is listening on' "$WORK/$1")" -ge "$planned" ]
}
listening_more_than() { [ "$(grep -ac 'is listening on' "$WORK/$2")" -gt "$1" ]; }
in_log() { grep -aq "$1" "$WORK/$2"; }
# Epoch milliseconds of the last (or, with 'first' after the log, the first) line of a log
# that matches, from the time it starts with
logged_at() {
	local line
	line=$(grep -a "$1" "$WORK/$2" | if [ "${3:-}" = first ]; then head -1; else tail -1; fi)
	[ -n "$line" ] || { echo "No '$1' in $WORK/$2" >&2; exit 1; }
	date -d "$(cut -d' ' -f1 <<<"$line")" +%s%3N
}

single() {
	"$JAVA" -jar "$JAR" --server.port="$PORT" --cluster.enabled=false >"$WORK/single.log" 2>&1 &
	APP=$!
}

# Where this run may raise priorities (CAP_SYS_NICE, as root), the master puts its serving
# workers' JIT compilers ahead of their requests; the warm-up is then also measured without
# that capability or a nice limit, by a cluster launched through this command
without_nice=()
if (($(printf '%d' "0x$(awk '/^CapEff/ { print $2 }' /proc/self/status)") >> 23 & 1)) && command -v setpriv >/dev/null && command -v prlimit >/dev/null; then
	without_nice=(prlimit --nice=0:0 setpriv --bounding-set=-sys_nice --inh-caps=-sys_nice)
fi
launch=()

# cluster <log> [arguments...], launched through the command in 'launch', if any
cluster() {
	local log=$1
	shift
	"${launch[@]}" "$JAVA" -jar "$JAR" --server.port="$PORT" --cluster.workers=auto --cluster.master.management-port="$MASTER_PORT" \
		--cluster.worker.class-data-sharing.directory="$WORK/cds" "$@" >"$WORK/$log" 2>&1 &
	APP=$!
}

rate() { wrk -t2 -c32 -d"$1" "http://127.0.0.1:$PORT/" | tee "$WORK/$2" | grep -oE 'Requests/sec: +[0-9.]+' | grep -oE '[0-9.]+$'; }

# Requests/s second by second for a minute from the moment the application serves (every
# JVM compiles its hot code as it serves, and each worker of a cluster sees a share of the
# requests), then the measured round. The plateau is the median second of the minute's last
# twenty; the warm-up, the seconds until five in a row first average at least 90% of it (one
# second alone moves by more than that, and a shared machine may serve a fifth less in the
# minute's last seconds than in its middle, which a figure that asks the rate to stay until
# the end would count as warming). Prints "<warm-up seconds> <requests/s>"
warm_up_then_rate() {
	local series="$WORK/seconds-$1"
	: >"$series"
	for _ in $(seq 1 60); do
		rate 1s second.txt >>"$series"
	done
	local warm_up
	warm_up=$(awk '{ v[NR] = $1 } END {
		for (i = NR - 19; i <= NR; i++) {
			for (j = ++n; j > 1 && last[j - 1] > v[i]; j--) last[j] = last[j - 1]
			last[j] = v[i]
		}
		p = (last[10] + last[11]) / 2
		for (i = 1; i + 4 <= NR; i++) {
			if ((v[i] + v[i + 1] + v[i + 2] + v[i + 3] + v[i + 4]) / 5 >= 0.9 * p) {
				print i - 1
				exit
			}
		}
		# Never: later than the start of the last five
		print ">" NR - 5 }' "$series")
	echo "$warm_up $(rate "${WRK_SECONDS}s" "$1")"
}

# The floor under any cluster's startup on this machine: the workers' own JVMs, archive
# included, started side by side without a master; milliseconds until the last one listens
side_by_side() {
	local i arg command pids=() started last=0 listened
	started=$(now)
	for i in $(seq 1 "$workers"); do
		command=()
		for arg in "${worker_command[@]}"; do
			case $arg in
			--server.port=*) command+=("--server.port=$((PORT + 10 + i))") ;;
			*) command+=("$arg") ;;
			esac
		done
		"${command[@]}" --cluster.enabled=false >"$WORK/side-$i.log" 2>&1 &
		pids+=($!)
	done
	for i in $(seq 1 "$workers"); do
		await in_log "Tomcat started" "side-$i.log"
		listened=$(logged_at "Tomcat started" "side-$i.log")
		[ "$listened" -gt "$last" ] && last=$listened
	done
	kill -TERM "${pids[@]}"
	wait "${pids[@]}" 2>/dev/null || true
	echo $((last - started))
}

# Requests served over a warm-up's minute, from its series
served() { awk '{ s += $1 } END { printf "%.0f", s }' "$WORK/seconds-$1"; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

rss_mib() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# What a client sees of a worker's death, for several kills in a row: milliseconds from the
# SIGKILL to the first response served by a process that was not serving before (new
# connections, as fast as they are answered). With a standby, each kill waits until a
# standby is ready again
failovers() {
	local log=$1 kills=$2 kill
	for kill in $(seq 1 "$kills"); do
		if [ "${3:-}" = standby ]; then
			await ready_standbys "$kill" "$log"
		fi
		failover "$log"
	done
}
ready_standbys() { [ "$(grep -ac 'is ready to take over' "$WORK/$2")" -ge "$1" ]; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

failover() {
	local log=$1 serving before
	mapfile -t serving < <(status | grep -oE '"pid":[0-9]+,"state":"listening"' | grep -oE '[0-9]+')
	[ ${#serving[@]} -gt 0 ] || { echo "No listening worker to kill; logs in $WORK" >&2; exit 1; }
	before=$(grep -ac 'is listening on' "$WORK/$log")
	echo -n "$("$JAVA" -cp "$WORK" FirstResponse "$PORT" "${serving[0]}" "${serving[@]}") "
	# The cluster is whole again before the next kill
	await listening_more_than "$before" "$log"
}

# ONLY=failover: the standby cluster's five kills alone, with the master's log kept
if [ "${ONLY:-}" = failover ]; then
	cluster standby.log --cluster.standby-workers=1 ${FAILOVER_ARGS:-}
	await workers_listening standby.log
	failover_standby=$(failovers standby.log 5 standby)
	stop
	cp "$WORK/standby.log" "${FAILOVER_LOG:-/tmp/failover.log}"
	echo "failover with standby, five kills (first response from the new worker): ${failover_standby% } ms"
	echo "failover: $(median <<<"$failover_standby") ms p50 over 5 kills (first response from the new worker)"
	exit 0
fi

# The warm-up of a cluster that cannot raise priorities, where this run can
warm_up_without_nice() {
	[ ${#without_nice[@]} -gt 0 ] || return 0
	echo "Cluster without the capability to raise priorities..."
	launch=("${without_nice[@]}")
	cluster without-nice.log "$@"
	launch=()
	await workers_listening without-nice.log
	read -r warm_up_unraised _ < <(warm_up_then_rate wrk-without-nice.txt)
	stop
}

report_without_nice() {
	[ ${#without_nice[@]} -gt 0 ] || return 0
	echo "requests/s second by second, cluster without raising priorities: $(tr '\n' ' ' <"$WORK/seconds-wrk-without-nice.txt")"
	echo "warm-up of the cluster without raising priorities: $warm_up_unraised s, $(served wrk-without-nice.txt) requests in its minute"
}

# ONLY=warm-up: the single JVM's warm-up and a cluster's, side by side
if [ "${ONLY:-}" = warm-up ]; then
	single
	await in_log "Tomcat started" single.log
	read -r warm_up_single throughput_single < <(warm_up_then_rate wrk-single.txt)
	stop
	cluster warm-up.log --cluster.worker.class-data-sharing.enabled=false ${WARM_UP_ARGS:-}
	await workers_listening warm-up.log
	read -r warm_up_cluster throughput_cluster < <(warm_up_then_rate wrk-cluster.txt)
	stop
	warm_up_without_nice --cluster.worker.class-data-sharing.enabled=false ${WARM_UP_ARGS:-}
	echo "requests/s second by second, single: $(tr '\n' ' ' <"$WORK/seconds-wrk-single.txt")"
	echo "requests/s second by second, cluster: $(tr '\n' ' ' <"$WORK/seconds-wrk-cluster.txt")"
	echo "throughput: cluster $throughput_cluster req/s, single $throughput_single req/s"
	report_without_nice
	echo "warm-up minute: cluster $(served wrk-cluster.txt) requests, single $(served wrk-single.txt)"
	echo "warm-up: cluster $warm_up_cluster s, single $warm_up_single s"
	exit 0
fi

# Three rounds of the plain JVM's start beside the archived cluster's, alternated, since the
# speed of a shared machine moves from one minute to the next; prints each round and sets
# startup_single, startup_first and startup_all to the medians, and workers and
# worker_command to the cluster's; arguments go to the cluster's command line
startup_rounds() {
	local run started pid firsts=() alls=() singles=()
	for run in 1 2 3; do
		started=$(now)
		single
		await in_log "Tomcat started" single.log
		singles+=($(($(logged_at "Tomcat started on port" single.log) - started)))
		stop
		started=$(now)
		cluster "archived-$run.log" "$@"
		await workers_listening "archived-$run.log"
		firsts+=($(($(logged_at "is listening on" "archived-$run.log" first) - started)))
		alls+=($(($(logged_at "is listening on" "archived-$run.log") - started)))
		echo "round $run: single ${singles[-1]} ms, cluster first ${firsts[-1]} ms, all ${alls[-1]} ms"
		workers=$(grep -aoE 'Starting [0-9]+ workers' "$WORK/archived-$run.log" | grep -oE '[0-9]+')
		pid=$(status | grep -oE '"pid":[0-9]+,"state":"listening"' | grep -oE '[0-9]+' | head -1)
		mapfile -t worker_command < <(tr '\0' '\n' <"/proc/$pid/cmdline")
		stop
	done
	startup_single=$(median <<<"${singles[*]}")
	startup_first=$(median <<<"${firsts[*]}")
	startup_all=$(median <<<"${alls[*]}")
}

# ONLY=startup: a training start that writes the class data archive, then the rounds, then
# the workers' JVMs side by side
if [ "${ONLY:-}" = startup ]; then
	cluster training.log ${STARTUP_ARGS:-}
	await in_log "Created the class data archive\|Could not create a class data archive" training.log
	stop
	startup_rounds ${STARTUP_ARGS:-}
	echo "startup single: $startup_single ms (median of 3)"
	echo "startup first: $(ratio "$startup_first" "$startup_single")"
	echo "startup all: $(ratio "$startup_all" "$startup_single")"
	echo "startup floor: $(ratio "$(side_by_side)" "$startup_single")"
	exit 0
fi

echo "Machine: $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr), $("$JAVA" -version 2>&1 | head -1)"

echo "One plain JVM..."
started=$(now)
single
await in_log "Tomcat started" single.log
startup_single_once=$(($(logged_at "Tomcat started on port" single.log) - started))
read -r warm_up_single throughput_single < <(warm_up_then_rate wrk-single.txt)
stop

echo "Cluster without a class data archive..."
started=$(now)
cluster plain.log --cluster.worker.class-data-sharing.enabled=false
await workers_listening plain.log
startup_plain=$(($(logged_at "is listening on" plain.log) - started))
workers=$(status | grep -oE '"desiredWorkers":[0-9]+' | grep -oE '[0-9]+$')
failover_plain=$(failovers plain.log 3)
stop

echo "Creating the class data archive..."
cluster training.log
await in_log "Created the class data archive\|Could not create a class data archive" training.log
in_log "Created the class data archive" training.log || { echo "No class data archive; logs in $WORK" >&2; exit 1; }
stop

echo "Startup, the plain JVM and the archived cluster, three rounds each..."
startup_rounds

echo "Cluster with the archive..."
started=$(now)
cluster archived.log
await workers_listening archived.log
first_fork=$(($(logged_at "Starting [0-9]* workers" archived.log) - started))
# The first workers were forked at the application's start, by the training run's plan
head_start=$(grep -aoE "as the last start's plan said, [0-9]+ ms" "$WORK/archived.log" | grep -oE '[0-9]+' | head -1 || true)
read -r warm_up_cluster throughput_cluster < <(warm_up_then_rate wrk-cluster.txt)
rss_master=$(rss_mib "$APP")
rss_workers=()
for pid in $(status | grep -oE '"pid":[0-9]+,"state":"listening"' | grep -oE '[0-9]+'); do
	rss_workers+=("$(rss_mib "$pid")")
done
[ ${#rss_workers[@]} -gt 0 ] || { echo "No listening worker to measure; logs in $WORK" >&2; exit 1; }
stop

warm_up_without_nice

echo "The workers' JVMs side by side, without a master..."
startup_side_by_side=$(side_by_side)

echo "Cluster with the archive and a standby worker..."
cluster standby.log --cluster.standby-workers=1
await workers_listening standby.log
failover_standby=$(failovers standby.log 5 standby)
stop

worker_total=0
for rss in "${rss_workers[@]}"; do worker_total=$((worker_total + rss)); done
echo
echo "workers: $workers"
echo "startup single, the run's first start: $startup_single_once ms"
echo "startup cluster without archive: $startup_plain ms"
echo "startup ratio cluster/single without archive: $(ratio "$startup_plain" "$startup_single_once")"
echo "startup single, median of 3: $startup_single ms"
echo "startup cluster with archive, first worker listening, median of 3: $startup_first ms"
echo "startup cluster with archive, all workers listening, median of 3: $startup_all ms"
echo "startup $workers archived worker JVMs side by side, no master: $startup_side_by_side ms"
echo "master startup to its plan: $first_fork ms"
echo "first workers forked at the application's start, before the plan: ${head_start:-none} ms"
echo "throughput single: $throughput_single req/s"
echo "throughput cluster: $throughput_cluster req/s"
echo "throughput ratio cluster/single: $(ratio "$throughput_cluster" "$throughput_single")"
echo "rss master: $rss_master MiB"
for i in "${!rss_workers[@]}"; do
	echo "rss worker $((i + 1)): ${rss_workers[$i]} MiB"
done
echo "rss ratio master/worker: $(ratio "$rss_master" "$((worker_total / ${#rss_workers[@]}))")"
echo "failover without standby, three kills (first response from the new worker): ${failover_plain% } ms"
echo "failover with standby, five kills (first response from the new worker): ${failover_standby% } ms"
echo "failover without standby: $(median <<<"$failover_plain") ms p50 over 3 kills (first response from the new worker)"
echo "failover: $(median <<<"$failover_standby") ms p50 over 5 kills (first response from the new worker)"
echo "requests/s second by second, single: $(tr '\n' ' ' <"$WORK/seconds-wrk-single.txt")"
echo "requests/s second by second, cluster: $(tr '\n' ' ' <"$WORK/seconds-wrk-cluster.txt")"
report_without_nice
echo "warm-up minute: cluster $(served wrk-cluster.txt) requests, single $(served wrk-single.txt)"
echo "warm-up: cluster $warm_up_cluster s, single $warm_up_single s"
echo "startup first: $(ratio "$startup_first" "$startup_single")"
echo "startup all: $(ratio "$startup_all" "$startup_single")"
echo "startup floor: $(ratio "$startup_side_by_side" "$startup_single")"
