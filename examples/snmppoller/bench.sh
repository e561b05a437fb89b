#!/usr/bin/env bash
# Benchmark of the SNMP poller: snmpbulkwalk per device (the original
# design) against gosnmp in process, with a fixed pool and an autoscaled one.
#
# The simulated fleet runs in its own process (snmppoller -serve-sim), so the
# poller's CPU time, and that of its snmpbulkwalk children, is only the
# polling. Each case runs -runs times (default 3) and the table shows medians.
#
# Usage: examples/snmppoller/bench.sh [-runs N] [-devices N] [-delays "D..."]
#   -devices  simulated agents (default 700)
#   -delays   per-reply latencies for the fixed-vs-autoscaled cases
#             (default "2ms 20ms")
# Needs: go, and snmpbulkwalk (Debian package snmp) for the exec case.
set -euo pipefail

runs=3
devices=700
delays="2ms 20ms"
while [[ $# -gt 0 ]]; do
	case "$1" in
	-runs) runs=$2; shift 2 ;;
	-devices) devices=$2; shift 2 ;;
	-delays) delays=$2; shift 2 ;;
	*) echo "bench.sh: unknown argument $1 (want -runs N, -devices N, -delays \"D...\")" >&2; exit 2 ;;
	esac
done

if ! command -v snmpbulkwalk >/dev/null; then
	echo "bench.sh: snmpbulkwalk is not installed (Debian: apt-get install snmp); the exec case needs it" >&2
	exit 1
fi

root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
fleet_pid=""
cleanup() {
	if [[ -n "$fleet_pid" ]]; then
		kill -INT "$fleet_pid" 2>/dev/null || true
		wait "$fleet_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "building the poller" >&2
(cd "$root" && go build -o "$tmp/snmppoller" ./examples/snmppoller)

# start_fleet DELAY: run the fleet in the background and wait for its
# targets file, which it writes (by rename) once every agent is listening.
start_fleet() {
	rm -f "$tmp/fleet.txt"
	"$tmp/snmppoller" -serve-sim "$tmp/fleet.txt" -sim "$devices" -sim-delay "$1" 2>>"$tmp/fleet.log" &
	fleet_pid=$!
	for _ in $(seq 1 300); do
		[[ -f "$tmp/fleet.txt" ]] && return 0
		kill -0 "$fleet_pid" 2>/dev/null || { cat "$tmp/fleet.log" >&2; exit 1; }
		sleep 0.1
	done
	echo "bench.sh: the simulated fleet did not start in 30 s" >&2
	exit 1
}

stop_fleet() {
	kill -INT "$fleet_pid"
	wait "$fleet_pid" || true
	fleet_pid=""
}

# field FILE NAME: a number from a -summary-json file (one field a line).
field() {
	awk -v k="\"$2\":" '$1 == k { gsub(/,/, "", $2); print $2 }' "$1"
}

# median NAME FIELD: median of FIELD over the runs of case NAME.
median() {
	for i in $(seq 1 "$runs"); do field "$tmp/$1.$i.json" "$2"; done |
		sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

rows=()
# run_case NAME LABEL FLAGS...: run the poller -runs times against the fleet.
run_case() {
	local name=$1 label=$2
	shift 2
	for i in $(seq 1 "$runs"); do
		echo "  $label: run $i/$runs" >&2
		# Exit status 3 (some devices failed) still gives a summary: the
		# table's errors column counts them. Anything else is fatal.
		local rc=0
		"$tmp/snmppoller" -targets "$tmp/fleet.txt" -o /dev/null -progress never \
			-summary-json "$tmp/$name.$i.json" "$@" >>"$tmp/$name.log" 2>&1 || rc=$?
		if [[ $rc -ne 0 && $rc -ne 3 ]]; then
			echo "bench.sh: $label: the poller exited with status $rc; its output:" >&2
			cat "$tmp/$name.log" >&2
			exit 1
		fi
	done
	local wall user sys cuser csys total varbinds failed peak
	wall=$(median "$name" wall_seconds)
	user=$(median "$name" user_cpu_seconds)
	sys=$(median "$name" sys_cpu_seconds)
	cuser=$(median "$name" children_user_cpu_seconds)
	csys=$(median "$name" children_sys_cpu_seconds)
	# Total CPU per run, then its median (not the sum of the medians).
	total=$(for i in $(seq 1 "$runs"); do
		f="$tmp/$name.$i.json"
		awk -v a="$(field "$f" user_cpu_seconds)" -v b="$(field "$f" sys_cpu_seconds)" \
			-v c="$(field "$f" children_user_cpu_seconds)" -v d="$(field "$f" children_sys_cpu_seconds)" \
			'BEGIN { print a + b + c + d }'
	done | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	varbinds=$(median "$name" varbinds)
	failed=$(median "$name" failed)
	peak=$(median "$name" peak_workers)
	rows+=("$(printf '| %s | %.0f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %d | %d |' \
		"$label" "$peak" "$wall" "$user" "$sys" "$cuser" "$csys" "$total" "$varbinds" "$failed")")
}

echo "fleet: $devices agents, no added delay" >&2
start_fleet 0s
run_case exec27 "exec snmpbulkwalk, 27 workers" -mode exec -workers 27
run_case gosnmp27 "gosnmp, 27 workers" -workers 27
run_case auto256 "gosnmp, 27 workers autoscaled to 256" -workers 27 -max-workers 256
stop_fleet

for delay in $delays; do
	echo "fleet: $devices agents, $delay per reply" >&2
	start_fleet "$delay"
	run_case "fixed$delay" "gosnmp, 27 workers, $delay per reply" -workers 27
	run_case "auto$delay" "gosnmp, 27 autoscaled to 256, $delay per reply" -workers 27 -max-workers 256
	stop_fleet
done

echo
echo "$devices simulated devices (48 interfaces, 720 varbinds each), median of $runs runs; CPU in seconds;"
echo "$(nproc) cores, $(date -u +%Y-%m-%d), $(go version | awk '{print $3}')."
echo
echo "| case | peak workers | wall s | poller user | poller sys | children user | children sys | total CPU | varbinds | errors |"
echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
printf '%s\n' "${rows[@]}"
