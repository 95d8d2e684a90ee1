#!/usr/bin/env bash
# Issue 8: peak memory of the release binary on big inputs, against the
# budget of 6 bytes per input byte plus 150 MB, and the exit code under a
# 2 GB virtual-memory cap (`ulimit -v 2000000`: 0 or 1 when the run fits,
# 2 with a message when it does not; never 134, an abort).
#
#   benches/memory.sh [one|many|both] [WORKDIR]
#
# one:  one 200 MB file of valid manifests (Deployments, namespaces with
#       quotas, limit ranges and network policies).
# many: 1 GB of the same in 10,000 files of 100 KB.
# WORKDIR (default: a temporary directory) receives the inputs, about
# 1.2 GB; they are deleted at the end unless WORKDIR was given.
set -euo pipefail
cd "$(dirname "$0")/.."

which=${1:-both}
if [ -n "${2:-}" ]; then
    work=$2
    mkdir -p "$work"
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi

cargo build --release --quiet --bin tenantlint
bin=$PWD/target/release/tenantlint

# generate one|many DIR
generate() {
    python3 - "$1" "$2" <<'PY'
import os, sys
def deployment(i, ns):
    team = ["vision", "nlp", "ranking", "speech"][i % 4]
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {team}-trainer-{i}
  namespace: {ns}
  labels:
    app.kubernetes.io/name: {team}-trainer
    app.kubernetes.io/part-of: ml-platform
    tenant: {team}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: {team}-trainer-{i}
  template:
    metadata:
      labels:
        app: {team}-trainer-{i}
    spec:
      serviceAccountName: {team}-runner
      containers:
        - name: trainer
          image: registry.example.com/{team}/trainer:1.{i}
          args: ["--epochs", "10", "--data", "s3://{team}-data/train"]
          env:
            - name: MLFLOW_TRACKING_URI
              value: http://mlflow.{ns}.svc:5000
            - name: WORKER_ID
              value: "{i}"
          resources:
            limits: {{cpu: "2", memory: 4Gi}}
        - name: sidecar # metrics exporter
          image: registry.example.com/platform/exporter:0.9
          ports:
            - containerPort: 9100
---
"""
def guards(ns):
    return (f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n---\n"
            f"apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: quota\n  namespace: {ns}\n"
            f"spec:\n  hard: {{requests.cpu: \"100\", limits.memory: 400Gi}}\n---\n"
            f"apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: limits\n  namespace: {ns}\n"
            f"spec:\n  limits:\n    - type: Container\n      default: {{cpu: \"1\", memory: 1Gi}}\n"
            f"      defaultRequest: {{cpu: 500m, memory: 512Mi}}\n---\n"
            f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n"
            f"  namespace: {ns}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress, Egress]\n---\n")
head = "".join(guards(f"team-{n}") for n in range(50))
mode, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
i = 0
def body(size):
    global i
    parts, total = [], 0
    while total < size:
        d = deployment(i, f"team-{i % 50}")
        parts.append(d); total += len(d); i += 1
    return "".join(parts)
if mode == "one":
    open(os.path.join(out, "big.yaml"), "w").write(head + body(200_000_000 - len(head)))
else:
    open(os.path.join(out, "namespaces.yaml"), "w").write(head)
    for f in range(10_000):
        d = os.path.join(out, f"d{f // 100:03}")
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, f"f{f:05}.yaml"), "w").write(body(100_000))
PY
}

printf '%-5s %14s %10s %14s %14s %8s %s\n' input bytes wall_s peak_rss budget ratio "exit under ulimit -v 2000000"
for m in one many; do
    if [ "$which" != both ] && [ "$which" != "$m" ]; then continue; fi
    dir=$work/$m
    [ -d "$dir" ] || generate "$m" "$dir"
    bytes=$(du -sbL "$dir" | cut -f1)
    log=$work/$m.time
    start=$(date +%s.%N)
    (cd "$dir" && /usr/bin/time -v "$bin" check -j 2 --format concise . >/dev/null 2>"$log") || true
    wall=$(echo "$(date +%s.%N) - $start" | bc)
    rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
    rss=$((rss_kb * 1024))
    budget=$((6 * bytes + 150000000))
    code=0
    (cd "$dir" && ulimit -v 2000000 && exec "$bin" check -j 2 --format concise . >/dev/null 2>"$work/$m.capped") || code=$?
    note=$(grep -m1 -o 'out of memory[^;]*' "$work/$m.capped" || true)
    printf '%-5s %14d %10.1f %14d %14d %8.2f %s\n' "$m" "$bytes" "$wall" "$rss" "$budget" \
        "$(echo "$rss / $bytes" | bc -l)" "$code ${note}"
done
