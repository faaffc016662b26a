#!/bin/bash
# Benchmark: our copy engine (`ablestack_v2k copy`) against nbdcopy on the very same endpoints:
# an nbdkit sparse-random source (half data) and a fresh qcow2 (or raw) target served by qemu-nbd.
# Prints MB/s (disk size / wall time), peak RSS and CPU of the copying process, our engine's own copy
# time (from its result, without Node's start-up), and checks the result with `qemu-img compare` against a
# reference copy of the source (below). Not part of `make check` (it writes GiBs).
#
#   test/bench/copy-vs-nbdcopy.sh [SIZE] [FORMAT]        e.g. 4G qcow2 (defaults)
#   RUNS="v2k nbdcopy v2k:--requests=32 nbdcopy:--requests=64:--request-size=4194304" test/bench/...
#   SOURCE="percent=50 seed=4242" (nbdkit sparse-random parameters; scattered small extents e.g.
#     "percent=5 runlength=4096 seed=4242")
#   HELPER=path/to/ablestack_v2k.mjs (another build, e.g. for before/after)  TARGET_UNIT=64K (copy --target-unit: fold holes inside 64 KiB units)  CACHE=none|writeback (qemu-nbd, default none)  WORK=/var/tmp (image directory)  COMPARE=0 (skip check)
set -euo pipefail
SIZE=${1:-4G}
FORMAT=${2:-qcow2}
CACHE=${CACHE:-none}
WORK=${WORK:-/var/tmp}
COMPARE=${COMPARE:-1}
RUNS=${RUNS:-"nbdcopy v2k"}
read -r -a SOURCE_ARGS <<<"${SOURCE:-percent=50 seed=4242}"
here=$(cd "$(dirname "$0")/../.." && pwd)
helper=${HELPER:-"$here/dist/helper/ablestack_v2k.mjs"}
# Node flags of the installed command (dist/ablestack_v2k), so the bench measures what admins run.
read -r -a node_flags < <(sed -n 's/^exec node \(.*\) "\$here.*/\1/p' "$here/dist/ablestack_v2k")
[ -f "$helper" ] || (cd "$here" && node build.mjs)

dir=$(mktemp -d "$WORK/v2k-bench-XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

wait_pidfile() { for _ in $(seq 1 200); do [ -s "$1" ] && return 0; sleep 0.05; done; echo "server did not start" >&2; exit 1; }

nbdkit --foreground --exit-with-parent --readonly --unix "$dir/src.sock" --pidfile "$dir/src.pid" \
  sparse-random "$SIZE" "${SOURCE_ARGS[@]}" &
pids+=($!)
wait_pidfile "$dir/src.pid"
src="nbd+unix:///?socket=$dir/src.sock"

# The check compares each copy with a raw reference made once by nbdcopy in $WORK: `qemu-img compare`
# against the nbdkit source itself read every allocated cluster synchronously over NBD (an 8 GiB scattered
# qcow2 copy took over 4 minutes); against a local sparse raw file it took ~25 s under load.
ref="$dir/reference.raw"
if [ "$COMPARE" = 1 ]; then nbdcopy "$src" "$ref"; fi

unit=()
if [ -n "${TARGET_UNIT:-}" ]; then unit=(--target-unit "$TARGET_UNIT"); fi

printf "%-48s %10s %9s %10s %8s %-10s %s\n" "run ($SIZE $FORMAT, cache=$CACHE)" "seconds" "MB/s" "peak RSS" "CPU s" "check" "engine s"
for run in $RUNS; do
  tool=${run%%:*}
  extra=()
  if [ "$run" != "$tool" ]; then IFS=: read -r -a extra <<<"${run#*:}"; fi
  img="$dir/dst.$FORMAT"
  rm -f "$img"
  qemu-img create -q -f "$FORMAT" "$img" "$SIZE"
  qemu-nbd --socket="$dir/dst.sock" --pid-file="$dir/dst.pid" --format="$FORMAT" --cache="$CACHE" --aio=io_uring \
    --discard=unmap --shared=8 --persistent "$img" &
  qpid=$!
  pids+=("$qpid")
  wait_pidfile "$dir/dst.pid"
  dst="nbd+unix:///?socket=$dir/dst.sock"
  sync
  case "$tool" in
    nbdcopy) cmd=(nbdcopy --target-is-zero "${extra[@]}" "$src" "$dst") ;;
    v2k) cmd=(node "${node_flags[@]}" "$helper" copy --json --from "$src" --to "$dst" --allocated-only "${unit[@]}" "${extra[@]}") ;;
    *) echo "unknown tool $tool" >&2; exit 2 ;;
  esac
  start=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S" -o "$dir/rss" "${cmd[@]}" >"$dir/out" 2>"$dir/err" || { cat "$dir/err" >&2; exit 1; }
  end=$(date +%s.%N)
  kill "$qpid"; wait "$qpid" 2>/dev/null || true
  rm -f "$dir/dst.pid"
  secs=$(echo "$end - $start" | bc -l)
  bytes=$(qemu-img info --output=json "$img" | sed -n 's/.*"virtual-size": \([0-9]*\).*/\1/p')
  mbs=$(echo "$bytes / 1000000 / $secs" | bc -l)
  check="-"
  if [ "$COMPARE" = 1 ]; then
    if qemu-img compare -q -f raw -F "$FORMAT" "$ref" "$img"; then check=identical; else check=DIFFERENT; fi
  fi
  read -r rss_kb cpu_user cpu_sys < <(tail -1 "$dir/rss")
  engine=$(sed -n 's/.*"type":"result".*"durationMs":\([0-9]*\).*/\1/p' "$dir/out" | tail -1)
  engine=${engine:+$(echo "$engine / 1000" | bc -l)}
  printf "%-48s %10.2f %9.1f %7d MiB %8.2f %-10s %s\n" "$run" "$secs" "$mbs" "$((rss_kb / 1024))" "$(echo "$cpu_user + $cpu_sys" | bc -l)" "$check" \
    "$(printf "%.2f" "${engine:-0}" | sed 's/^0.00$/-/')"
  rm -f "$img"
done
