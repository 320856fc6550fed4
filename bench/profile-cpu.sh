#!/usr/bin/env bash
# usage: bench/profile-cpu.sh PID [seconds] [out-prefix]
# A CPU profile of one running meshnode process that names its JavaScript right: perf samples
# the threads only while they run (V8's --cpu-prof samples wall time, unreadable with ten
# processes on two cores), and V8's jitdump gives perf every compiled function as it was when
# the sample was taken (--perf-basic-prof's map file names moved code wrongly: BENCHMARKS.md,
# issue 14, stops 30–31). The node must run with the jitdump on, from a directory it may write:
#   NODE_OPTIONS="--perf-prof --interpreted-frames-native-stack" npx meshnode start ...
# It writes jit-PID.dump (and jitted-PID-*.so beside it) in its working directory. Then:
#   bench/profile-cpu.sh PID 5 /tmp/prof
# prints the threads' shares and the main thread's top JavaScript frames (bench/perf-js-self.mjs),
# and leaves /tmp/prof.data for `perf report -i /tmp/prof.data --comm MainThread`. Needs perf
# (Debian: linux-perf) and root or perf_event_paranoid ≤ 1. perf inject leaves jitted-PID-*.so files
# beside the dump, in the node's directory: remove them with it.
set -euo pipefail
pid=${1:?usage: bench/profile-cpu.sh PID [seconds] [out-prefix]}
secs=${2:-5}
out=${3:-/tmp/meshnode-prof-$pid}
here=$(cd "$(dirname "$0")" && pwd)
command -v perf >/dev/null || { echo "perf not found (Debian: apt-get install linux-perf)" >&2; exit 2; }
cwd=$(readlink "/proc/$pid/cwd") || { echo "no process $pid" >&2; exit 2; }
tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- '--perf-prof' || [ -f "$cwd/jit-$pid.dump" ] ||
  echo "warning: $pid does not seem to run with --perf-prof: JavaScript frames will be unnamed" >&2
perf record -k mono -e cpu-clock -F 999 -g -p "$pid" -o "$out.raw" -- sleep "$secs" >/dev/null 2>&1
# perf inject finds jit-PID.dump through the mapping the node made of it (its own cwd).
perf inject --jit -i "$out.raw" -o "$out.data"
rm -f "$out.raw"
echo "== threads"
perf report -i "$out.data" --no-children --sort comm -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -8
echo "== main thread, by innermost JavaScript frame"
perf script -i "$out.data" --comm MainThread 2>/dev/null | node "$here/perf-js-self.mjs" 40
