#!/usr/bin/env bash
# usage: bench/silent-leader.sh ROOT N LABEL ROUNDS
# A SILENT leader (SIGSTOP: connections stay open, nothing is sent) on N nodes of the build in
# ROOT: time from the SIGSTOP until another node reports role leader on /metrics (polled every
# 50 ms), per round; the stopped node is then resumed and the cluster settles before the next
# round. Run under flock /tmp/meshnode-e2e.lock; ports 20000+ / 20100+.
set -uo pipefail
root=$1; n=$2; label=$3; rounds=${4:-3}
dir=/tmp/idle2-silent-$label
node=${NODE:-$root/node_modules/.bin/node}; [ -x "$node" ] || node=node
$node $root/dist/scripts/cluster.js --dir $dir up $n --base-port 20000 --http-base-port 20100 --timeout-ms 60000 >/tmp/idle2-silent-up-$label.txt 2>&1 || { echo "$label up failed"; cat /tmp/idle2-silent-up-$label.txt; }
pids=($(grep -o 'pid [0-9]*' /tmp/idle2-silent-up-$label.txt | awk '{print $2}'))
role() { curl -s --max-time 1 http://127.0.0.1:$((20100+$1))/metrics | awk '/^raft_role\{/ && / 1$/ {print}' | grep -o 'role="[a-z-]*"' | cut -d'"' -f2; }
leader() { for i in $(seq 0 $((n-1))); do [ "$(role $i)" = "leader" ] && { echo $i; return; }; done; echo -1; }
out=""
sleep 8
for r in $(seq 1 $rounds); do
  l=-1; for t in $(seq 1 100); do l=$(leader); [ $l -ge 0 ] && break; sleep 0.2; done
  sleep 3
  kill -STOP ${pids[$l]}; t0=$(date +%s%3N); new=-1
  while [ $(( $(date +%s%3N) - t0 )) -lt 20000 ]; do
    for i in $(seq 0 $((n-1))); do [ $i -eq $l ] && continue; [ "$(role $i)" = "leader" ] && { new=$i; break; }; done
    [ $new -ge 0 ] && break; sleep 0.05
  done
  t1=$(date +%s%3N); kill -CONT ${pids[$l]}
  out="$out $((t1-t0))"
  sleep 6
done
echo "$label silent-leader (SIGSTOP) → other leader ms:$out  load=$(cut -d' ' -f1-3 /proc/loadavg)"
$node $root/dist/scripts/cluster.js --dir $dir down >/dev/null 2>&1
