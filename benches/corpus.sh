#!/usr/bin/env bash
# Time the release binary over a corpus (default: ../shared/corpus/k8s) with
# every rule on, and print files, documents, MB, MB/s, wall time and peak RSS.
#
#   benches/corpus.sh [--runs N] [--format FMT] [--threads N] [--command CMD] [--config FILE] [DIR]
#
# CMD is `check` (the default) or `tenants` (the posture, whose formats are
# human, json, markdown and html). FILE is a config (e.g. one that loads
# policies: benches/policies/tenantlint.yaml).
#
# Wall time is the best of N runs (default 5) after one warm-up run, so that
# the page cache is warm and other load on the machine counts as little as
# possible. Peak RSS comes from `/usr/bin/time -v` when it is installed
# (Debian package `time`), otherwise from `ps`-free polling of
# /proc/PID/status (VmHWM), which needs no extra tool.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5
format=json
threads=0
command=check
config=()
dir=../shared/corpus/k8s
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --format) format=$2; shift 2 ;;
        --threads|-j) threads=$2; shift 2 ;;
        --command) command=$2; shift 2 ;;
        --config) config=(--config "$2"); shift 2 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) dir=$1; shift ;;
    esac
done
if [ ! -d "$dir" ]; then
    echo "corpus.sh: $dir is not a directory" >&2
    exit 2
fi

cargo build --release --quiet --bin tenantlint
bin=target/release/tenantlint
# TIME_BIN=none forces the /proc polling fallback.
time_bin=${TIME_BIN:-/usr/bin/time}
out=$(mktemp)
trap 'rm -f "$out" "$out.time"' EXIT

run_once() {
    # Prints "<wall seconds> <peak RSS KB>"; the report goes to $out.
    # Exit code 1 (findings) is expected, 2 is a failure.
    local start end status=0 rss=0
    if [ -x "$time_bin" ]; then
        start=$(date +%s.%N)
        "$time_bin" -v -o "$out.time" "$bin" "$command" -j "$threads" --format "$format" ${config[@]+"${config[@]}"} "$dir" >"$out" || status=$?
        end=$(date +%s.%N)
        rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$out.time")
    else
        start=$(date +%s.%N)
        "$bin" "$command" -j "$threads" --format "$format" ${config[@]+"${config[@]}"} "$dir" >"$out" &
        local pid=$! hwm
        # VmHWM is the peak RSS so far; poll it until the process is gone.
        while hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null) && [ -n "$hwm" ]; do
            rss=$hwm
            sleep 0.005
        done
        wait "$pid" || status=$?
        end=$(date +%s.%N)
    fi
    if [ "$status" -gt 1 ]; then
        echo "corpus.sh: tenantlint exited with $status" >&2
        exit 2
    fi
    awk -v s="$start" -v e="$end" -v r="$rss" 'BEGIN {printf "%.3f %d\n", e - s, r}'
}

run_once >/dev/null # warm-up: page cache, binary
best_wall=
best_rss=0
for _ in $(seq "$runs"); do
    read -r wall rss < <(run_once)
    if [ -z "$best_wall" ] || awk -v a="$wall" -v b="$best_wall" 'BEGIN {exit !(a < b)}'; then
        best_wall=$wall
    fi
    [ "$rss" -gt "$best_rss" ] && best_rss=$rss
done

# Files, documents and findings as tenantlint counted them (json summary).
"$bin" check -j "$threads" --format json "$dir" >"$out" || true
summary=$(python3 - "$out" <<'PY' 2>/dev/null || echo "? ? ?"
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
print(s["files"], s["documents"], s["errors"] + s["warnings"] + s["infos"])
PY
)
read -r files documents findings <<<"$summary"
bytes=$(find "$dir" -type f \( -name '*.yaml' -o -name '*.yml' -o -name MLproject -o -name MLmodel \) -printf '%s\n' | awk '{s += $1} END {print s + 0}')
mb=$(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1e6}')

printf 'corpus      %s\n' "$dir"
printf 'machine     %s vCPU, %s\n' "$(nproc)" "$(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo)"
printf 'command     %s\n' "$command"
printf 'threads     %s\n' "$([ "$threads" = 0 ] && echo "all ($(nproc))" || echo "$threads")"
printf 'format      %s\n' "$format"
printf 'files       %s\n' "$files"
printf 'documents   %s\n' "$documents"
printf 'findings    %s\n' "$findings"
printf 'size        %s MB\n' "$mb"
printf 'wall        %s s (best of %s)\n' "$best_wall" "$runs"
awk -v b="$bytes" -v w="$best_wall" 'BEGIN {printf "throughput  %.1f MB/s\n", b / 1e6 / w}'
awk -v r="$best_rss" -v n="$runs" 'BEGIN {printf "peak RSS    %.0f MB (max of %s)\n", r / 1024, n}'
