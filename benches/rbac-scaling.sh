#!/usr/bin/env bash
# How the whole check grows with the number of RBAC objects: N ClusterRoles,
# each bound by one RoleBinding in one of 50 tenant namespaces, for
# N = 1k, 2k, 4k, 8k, 16k (every rule on). Prints N, file size, the best
# user+sys CPU seconds and wall seconds of 3 runs, and the ratio to N/2.
# Linear work doubles the time when N doubles; quadratic work quadruples it.
#
#   benches/rbac-scaling.sh [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3
if [ "${1:-}" = --runs ]; then runs=$2; fi

cargo build --release --quiet --bin tenantlint
bin=target/release/tenantlint
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

generate() {
    local n=$1 i
    for ((i = 0; i < n; i++)); do
        printf -- '---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: role-%d\nrules:\n- apiGroups: [""]\n  resources: [pods/exec]\n  verbs: [create, get]\n' "$i"
        printf -- '---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: bind-%d\n  namespace: team-%d\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: role-%d\nsubjects:\n- kind: ServiceAccount\n  name: runner\n  namespace: team-%d\n' "$i" $((i % 50)) "$i" $((i % 50))
    done
}

printf '%6s %9s %9s %9s %8s\n' N bytes cpu_s wall_s ratio
prev=
for n in 1000 2000 4000 8000 16000; do
    file=$dir/rbac-$n.yaml
    generate "$n" > "$file"
    best_cpu= best_wall=
    for ((r = 0; r < runs; r++)); do
        # TIMEFORMAT: user+sys and real, from bash's own `time`.
        t=$( { TIMEFORMAT='%U %S %R'; time "$bin" check --format concise "$file" > /dev/null 2>&1 || true; } 2>&1 )
        read -r u s w <<< "$t"
        cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.3f", u + s }')
        if [ -z "$best_cpu" ] || awk -v a="$cpu" -v b="$best_cpu" 'BEGIN { exit !(a < b) }'; then best_cpu=$cpu; fi
        if [ -z "$best_wall" ] || awk -v a="$w" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then best_wall=$w; fi
    done
    ratio=-
    if [ -n "$prev" ]; then ratio=$(awk -v a="$best_cpu" -v b="$prev" 'BEGIN { printf "%.2f", a / b }'); fi
    printf '%6d %9d %9s %9s %8s\n' "$n" "$(stat -c %s "$file")" "$best_cpu" "$best_wall" "$ratio"
    prev=$best_cpu
done
