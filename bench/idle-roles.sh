#!/usr/bin/env bash
# usage: bench/idle-roles.sh ROOT N LABEL [settle_s] [measure_s]
# Like bench/idle-cpu.sh, but reports the Raft leader and the followers separately: starts N
# nodes of the build in ROOT (scripts/cluster up N, ports 20000+/20100+), waits converged,
# settles, finds the leader from each node's /metrics (raft_role), then measures CPU
# (utime+stime from /proc) over measure_s and prints leader %, follower mean %, all-node mean
# and the load average. Run under flock /tmp/meshnode-e2e.lock; interleave builds.
set -uo pipefail
root=$1; n=$2; label=$3; settle=${4:-10}; meas=${5:-20}
dir=/tmp/idle2-cluster-$label
node=${NODE:-$root/node_modules/.bin/node}; [ -x "$node" ] || node=node
t0=$(date +%s%3N)
$node $root/dist/scripts/cluster.js --dir $dir up $n --base-port 20000 --http-base-port 20100 --timeout-ms 60000 >/tmp/idle2-up-$label.txt 2>&1 || { echo "$label up failed"; cat /tmp/idle2-up-$label.txt; }
t1=$(date +%s%3N)
pids=($(grep -o 'pid [0-9]*' /tmp/idle2-up-$label.txt | awk '{print $2}'))
sleep $settle
leader=-1
for i in $(seq 0 $((n-1))); do
  r=$(curl -s --max-time 2 http://127.0.0.1:$((20100+i))/metrics | awk '/^raft_role\{/ && /leader/ {print $2}')
  [ "$r" = "1" ] && leader=$i
done
cpu() { awk '{print $14+$15}' /proc/$1/stat 2>/dev/null || echo 0; }
declare -a c0 c1
for i in "${!pids[@]}"; do c0[$i]=$(cpu ${pids[$i]}); done; w0=$(date +%s%3N)
sleep $meas
for i in "${!pids[@]}"; do c1[$i]=$(cpu ${pids[$i]}); done; w1=$(date +%s%3N)
la=$(cut -d' ' -f1-3 /proc/loadavg)
out=""; lsum=0; fsum=0; fn=0; all=0
for i in "${!pids[@]}"; do
  d=$(( ${c1[$i]} - ${c0[$i]} ))
  out="$out $(awk -v d=$d -v w=$((w1-w0)) 'BEGIN{printf "%.2f", 100*d*10/w}')"
  all=$((all+d))
  if [ $i -eq $leader ]; then lsum=$d; else fsum=$((fsum+d)); fn=$((fn+1)); fi
done
awk -v l=$lsum -v f=$fsum -v fn=$fn -v a=$all -v n=${#pids[@]} -v w=$((w1-w0)) -v lab="$label" -v ld=$((leader+1)) -v up=$((t1-t0)) -v la="$la" -v per="$out" \
  'BEGIN{printf "%s N=%d leader=node-%d leader=%.2f%% followers=%.2f%% mean=%.2f%% up=%dms load=%s per-node:%s\n", lab, n, ld, 100*l*10/w, (fn>0?100*f*10/w/fn:0), 100*a*10/w/n, up, la, per}'
$node $root/dist/scripts/cluster.js --dir $dir down >/dev/null 2>&1
