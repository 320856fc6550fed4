#!/usr/bin/env bash
# usage: bench/idle-cpu.sh ROOT N LABEL [settle_s] [measure_s] [extra node args...]
# Starts N nodes of the build in ROOT (scripts/cluster up N; ports $BASE_PORT or 20000, HTTP 100 above), waits converged, settles,
# measures CPU (utime+stime from /proc) over measure_s, prints a line, tears down.
# e.g. flock /tmp/meshnode-e2e.lock bench/idle-cpu.sh /work/wt/before 10 before 10 25; ... bench/idle-cpu.sh . 10 after 10 25
# Interleave before/after builds in one lock hold; prints CPU % per node (utime+stime from /proc),
# per-node split, voluntary context switches/s per node, RSS, time to converge and the load average.
set -uo pipefail
root=$1; n=$2; label=$3; settle=${4:-10}; meas=${5:-20}; shift 5 || shift $#
dir=/tmp/idle-cluster-$label
node=${NODE:-$root/node_modules/.bin/node}; [ -x "$node" ] || node=node
t0=$(date +%s%3N)
$node $root/dist/scripts/cluster.js --dir $dir up $n --base-port ${BASE_PORT:-20000} --http-base-port $(( ${BASE_PORT:-20000} + 100 )) --timeout-ms 60000 -- "$@" >/tmp/idle-up-$label.txt 2>&1 || { echo "$label up failed"; cat /tmp/idle-up-$label.txt; }
t1=$(date +%s%3N)
pids=$(grep -o 'pid [0-9]*' /tmp/idle-up-$label.txt | awk '{print $2}')
sleep $settle
pernode() { for p in $pids; do awk "{print \$14+\$15}" /proc/$p/stat 2>/dev/null || echo 0; done; }
vcsw() { local s=0; for p in $pids; do v=$(awk "/^voluntary_ctxt_switches/{print \$2}" /proc/$p/status 2>/dev/null || echo 0); s=$((s+v)); done; echo $s; }
tick() { local s=0; for p in $pids; do read -r a b < <(awk '{print $14, $15}' /proc/$p/stat 2>/dev/null || echo "0 0"); s=$((s+a+b)); done; echo $s; }
rss() { local s=0; for p in $pids; do r=$(awk '/VmRSS/{print $2}' /proc/$p/status 2>/dev/null || echo 0); s=$((s+r)); done; echo $s; }
c0=$(tick); w0=$(date +%s%3N); pn0=$(pernode); v0=$(vcsw)
sleep $meas
c1=$(tick); w1=$(date +%s%3N); pn1=$(pernode); v1=$(vcsw); echo "$label vcsw/s/node: $(( (v1-v0)/meas/$(echo $pids | wc -w) ))"
echo "$label per-node %: $(paste <(echo "$pn0") <(echo "$pn1") | awk -v w=$meas '{printf "%.1f ", ($2-$1)/w}')" 
r=$(rss)
cnt=$(echo $pids | wc -w)
awk -v c=$((c1-c0)) -v w=$((w1-w0)) -v n=$cnt -v r=$r -v l="$label" -v up=$((t1-t0)) -v la="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN{printf "%s N=%d cpu/node=%.2f%% rss/node=%.1fMiB up=%dms load=%s\n", l, n, 100*c*10/w/n, r/1024/n, up, la}'
$node $root/dist/scripts/cluster.js --dir $dir down >/dev/null 2>&1
