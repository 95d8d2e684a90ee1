#!/usr/bin/env bash
# Issue 8: how the whole check grows with N for each hostile scenario, for
# N = 1k, 2k, 4k, 8k, 16k (every rule on, 2 threads). Prints the scenario,
# N, input bytes, the best wall seconds and the best CPU seconds (user +
# system) of RUNS runs, and the ratio of CPU seconds to those at N/2: linear
# work doubles the time when N doubles, quadratic work quadruples it. CPU
# time is the steadier measure on a machine shared with other work.
#
#   benches/adversarial-scaling.sh [--runs N] [SCENARIO...]
#
# Scenarios: shared-sa, shared-claim, shared-volume, dups-one-file,
# dups-ten-dirs, envfrom, suppressions, baseline, command-line, big-config.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3
if [ "${1:-}" = --runs ]; then runs=$2; shift 2; fi
scenarios=("$@")
if [ ${#scenarios[@]} -eq 0 ]; then
    scenarios=(shared-sa shared-claim shared-volume dups-one-file dups-ten-dirs envfrom suppressions baseline command-line big-config)
fi

cargo build --release --quiet --bin tenantlint
bin=$PWD/target/release/tenantlint
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# generate SCENARIO N DIR: write the input into DIR; print extra arguments.
generate() {
    python3 - "$1" "$2" "$3" <<'PY'
import os, sys
scenario, n, d = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def w(name, text):
    p = os.path.join(d, name)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, "w").write(text)
def deployment(i, extra="", volumes=""):
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app{i}, namespace: team}}\n"
            f"spec:\n  template:\n    metadata: {{labels: {{app: app{i}}}}}\n    spec:\n{extra}"
            f"      containers: [{{name: c, image: i}}]\n{volumes}---\n")
args = []
if scenario == "shared-sa":
    w("all.yaml", "".join(deployment(i, "      serviceAccountName: shared\n") for i in range(n)))
elif scenario == "shared-claim":
    vol = "      volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]\n"
    w("all.yaml", "".join(deployment(i, volumes=vol) for i in range(n)))
elif scenario == "shared-volume":
    # N PersistentVolumes of N tenants on one NFS export: a third on the
    # export itself, the rest in directories inside it (STORE001).
    def pv(i):
        path = "/exports/ml" if i % 3 == 0 else f"/exports/ml/d{i}"
        return (f"apiVersion: v1\nkind: PersistentVolume\nmetadata: {{name: pv{i}}}\n"
                f"spec:\n  claimRef: {{namespace: t{i}, name: data}}\n  nfs: {{server: nas, path: {path}}}\n---\n")
    w("all.yaml", "".join(pv(i) for i in range(n)))
elif scenario == "dups-one-file":
    w("all.yaml", "".join(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: same, namespace: team}}\ndata: {{v: '{i}'}}\n---\n" for i in range(n)))
elif scenario == "dups-ten-dirs":
    for k in range(10):
        w(f"d{k}/all.yaml", "".join(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm{i}, namespace: team}}\ndata: {{v: '{k}'}}\n---\n" for i in range(n // 10)))
elif scenario == "envfrom":
    cms = "".join(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: env{i}, namespace: team}}\ndata: {{MLFLOW_TRACKING_URI: 'http://mlflow:5000'}}\n---\n" for i in range(n))
    pods = "".join(f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: team}}\nspec:\n  containers: [{{name: c, image: train, envFrom: [{{configMapRef: {{name: env{i}}}}}]}}]\n---\n" for i in range(n))
    w("all.yaml", cms + pods)
elif scenario in ("suppressions", "baseline"):
    note = " # tenantlint: ignore[NS001] reason: legacy" if scenario == "suppressions" else ""
    w("all.yaml", "".join(f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\n  namespace: default{note}\nspec:\n  containers: [{{name: c, image: i}}]\n---\n" for i in range(n)))
elif scenario == "command-line":
    words = "a\\ b $(UNCLOSED ${X \"q\\\"w\" " * n
    script = "mlflow server --default-artifact-root s3://b/$(TEAM) " + words
    import json
    w("all.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: mlflow, namespace: team}\nspec:\n  containers:\n"
      f"  - name: s\n    image: mlflow\n    command: [sh, -c]\n    args: [{json.dumps(script)}]\n    env: [{{name: TEAM, value: team}}]\n")
elif scenario == "big-config":
    tenants = "".join(f"  t{i}: [\"t{i}-*\"]\n" for i in range(n))
    ignores = "".join(f"  \"dir{i}/**\": [SA002]\n" for i in range(n))
    w("cfg.yaml", f"tenants:\n{tenants}per-path-ignores:\n{ignores}")
    w("all.yaml", "".join(f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: t{i}-x}}\nspec:\n  containers: [{{name: c, image: i}}]\n---\n" for i in range(n)))
    args = ["--config", "cfg.yaml"]
print(" ".join(args))
PY
}

printf '%-14s %6s %10s %8s %8s %6s\n' scenario N bytes wall_s cpu_s ratio
for s in "${scenarios[@]}"; do
    prev=
    for n in 1000 2000 4000 8000 16000; do
        dir=$work/$s-$n
        mkdir -p "$dir"
        extra=$(generate "$s" "$n" "$dir")
        if [ "$s" = baseline ]; then
            (cd "$dir" && "$bin" check -j 2 --write-baseline b.json . >/dev/null 2>&1 || true)
            extra="--baseline b.json"
        fi
        bytes=$(du -sb --exclude=b.json "$dir" | cut -f1)
        best=
        best_cpu=
        for ((r = 0; r < runs; r++)); do
            # shellcheck disable=SC2086
            (cd "$dir" && /usr/bin/time -f '%e %U %S' -o "$work/time" \
                "$bin" check -j 2 --format json $extra . >/dev/null 2>&1 || true)
            # (`time` puts "Command exited with non-zero status 1" first.)
            read -r t user sys < <(tail -n 1 "$work/time")
            cpu=$(echo "$user + $sys" | bc)
            if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
            if [ -z "$best_cpu" ] || [ "$(echo "$cpu < $best_cpu" | bc)" = 1 ]; then best_cpu=$cpu; fi
        done
        ratio=-
        if [ -n "$prev" ] && [ "$(echo "$prev > 0" | bc)" = 1 ]; then ratio=$(printf '%.2f' "$(echo "$best_cpu / $prev" | bc -l)"); fi
        printf '%-14s %6d %10d %8.2f %8.2f %6s\n' "$s" "$n" "$bytes" "$best" "$best_cpu" "$ratio"
        prev=$best_cpu
        rm -rf "$dir"
    done
done
