#!/usr/bin/env bash
# usage: bench/idle-pair.sh ROOT_A ROOT_B N [settle_s] [measure_s] [label]
# Two idle N-node meshes side by side, one of each build (ROOT_A on ports BASE/BASE+100, ROOT_B on
# BASE+200/BASE+250, BASE = $BASE_PORT or 20000; N ≤ 50), measured over the same window: CPU per node (utime+stime from /proc),
# voluntary context switches (wake-ups) per node per second, RSS per node, the load average.
# On a shared machine the load swings between two runs moved a single idle-cpu.sh figure by
# ±0.3 point; side by side both builds see the same swings (BENCHMARKS.md, issue 14, stop 27).
# e.g. flock /tmp/meshnode-e2e.lock bench/idle-pair.sh /work/wt/base . 10 15 60
set -uo pipefail
A=$1; B=$2; n=$3; settle=${4:-15}; meas=${5:-60}; label=${6:-pair}
node=${NODE:-$A/node_modules/.bin/node}; [ -x "$node" ] || node=node
dir=/tmp/idle-pair-$label
up() { $node $1/dist/scripts/cluster.js --dir $dir-$2 up $n --base-port $3 --http-base-port $4 --timeout-ms 60000 >$dir-$2.txt 2>&1 || { echo "$2 up failed"; cat $dir-$2.txt; }; }
base=${BASE_PORT:-20000}
up $A a $base $((base+100)) & up $B b $((base+200)) $((base+250)) & wait
pa=$(grep -o 'pid [0-9]*' $dir-a.txt | awk '{print $2}'); pb=$(grep -o 'pid [0-9]*' $dir-b.txt | awk '{print $2}')
sleep $settle
ticks() { local s=0; for p in "$@"; do read -r u k < <(awk '{print $14, $15}' /proc/$p/stat 2>/dev/null || echo "0 0"); s=$((s+u+k)); done; echo $s; }
vcsw() { local s=0; for p in "$@"; do v=$(awk '/^voluntary_ctxt_switches/{print $2}' /proc/$p/status 2>/dev/null || echo 0); s=$((s+v)); done; echo $s; }
rss() { local s=0; for p in "$@"; do r=$(awk '/VmRSS/{print $2}' /proc/$p/status 2>/dev/null || echo 0); s=$((s+r)); done; echo $s; }
a0=$(ticks $pa); b0=$(ticks $pb); va0=$(vcsw $pa); vb0=$(vcsw $pb); t0=$(date +%s%3N)
sleep $meas
a1=$(ticks $pa); b1=$(ticks $pb); va1=$(vcsw $pa); vb1=$(vcsw $pb); t1=$(date +%s%3N)
line() { awk -v l="$1" -v c=$2 -v v=$3 -v r=$4 -v k=$5 -v w=$((t1-t0)) -v la="$(cut -d' ' -f1-3 /proc/loadavg)" \
  'BEGIN{printf "%s N=%d cpu/node=%.2f%% vcsw/s/node=%.1f rss/node=%.1fMiB window=%.0fs load=%s\n", l, k, 100*c*10/w/k, 1000*v/w/k, r/1024/k, w/1000, la}'; }
line "$label A $A" $((a1-a0)) $((va1-va0)) $(rss $pa) $(echo $pa | wc -w)
line "$label B $B" $((b1-b0)) $((vb1-vb0)) $(rss $pb) $(echo $pb | wc -w)
$node $A/dist/scripts/cluster.js --dir $dir-a down >/dev/null 2>&1 & $node $B/dist/scripts/cluster.js --dir $dir-b down >/dev/null 2>&1 & wait
