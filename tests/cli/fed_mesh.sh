#!/usr/bin/env bash
# Federation: twenty nodes in a random (seeded) connected partner graph
# converge to identical heads of all twenty logs within a time bound, both
# for what they held at start and for entries issued while running.
# Usage: bash fed_mesh.sh PATH-TO-CREDPORT
# FED_MESH_SEED picks another graph (default 20261123).
set -euo pipefail
CP=${1:?usage: fed_mesh.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"
NODES=20
EXTRA=10
BOUND=30
SEED=${FED_MESH_SEED:-20261123}

# A small LCG of our own, so the graph depends on the seed alone.
rng=$SEED
rand() { rng=$(((rng * 1103515245 + 12345) % 2147483648)); R=$((rng / 65536 % $1)); }

say "graph (seed $SEED): a random spanning tree plus $EXTRA random extra edges"
declare -A EDGE
edges=()
for ((i = 1; i < NODES; i++)); do
  rand "$i"
  EDGE[$i.$R]=1
  edges+=("$i $R")
done
added=0
while [ "$added" -lt "$EXTRA" ]; do
  rand "$NODES"; i=$R
  rand "$NODES"; j=$R
  [ "$i" -eq "$j" ] && continue
  if [ "$i" -lt "$j" ]; then t=$i; i=$j; j=$t; fi
  [ -n "${EDGE[$i.$j]:-}" ] && continue
  EDGE[$i.$j]=1
  edges+=("$i $j")
  added=$((added + 1))
done
say "  ${#edges[@]} edges: $(printf '%s; ' "${edges[@]}" | sed 's/ /-/g; s/;-/; /g')"

# Connectivity of the graph as built (the test of convergence means nothing
# on a disconnected graph).
declare -A SEEN
SEEN[0]=1
changed=1
while [ "$changed" -eq 1 ]; do
  changed=0
  for e in "${edges[@]}"; do
    read -r i j <<<"$e"
    if [ -n "${SEEN[$i]:-}" ] && [ -z "${SEEN[$j]:-}" ]; then SEEN[$j]=1; changed=1; fi
    if [ -n "${SEEN[$j]:-}" ] && [ -z "${SEEN[$i]:-}" ]; then SEEN[$i]=1; changed=1; fi
  done
done
[ "${#SEEN[@]}" -eq "$NODES" ] || die "the partner graph is not connected"

say "$NODES nodes, each with its own log (genesis, a credential, 2 awards)"
# Twenty real jurisdictions (init checks them against ISO 3166).
STATES=(US-AL US-AK US-AZ US-AR US-CA US-CO US-CT US-DE US-FL US-GA US-HI US-ID US-IL US-IN
        US-IA US-KS US-KY US-LA US-ME US-MD US-MA US-MI US-MN US-MS)
for ((i = 0; i < NODES; i++)); do
  node_init "n$i" "${STATES[$i]}"
  issue "n$i" 2
done
# Edge i-j with i > j: i dials j; j lets i in.
for e in "${edges[@]}"; do
  read -r i j <<<"$e"
  "$CP" -d "${D[n$j]}" peer add --accept "${KEY[n$i]}" >/dev/null
done
t0=$(now_ms)
for ((i = 0; i < NODES; i++)); do
  for e in "${edges[@]}"; do
    read -r a b <<<"$e"
    [ "$a" -eq "$i" ] || continue
    "$CP" -d "${D[n$i]}" peer add "127.0.0.1:${PORT[n$b]}" "${KEY[n$b]}" >/dev/null
  done
  start_node "n$i"
done
say "  all started in $(($(now_ms) - t0)) ms"

ALL=()
for ((i = 0; i < NODES; i++)); do ALL+=("n$i"); done

# converged SIZE: every node holds all twenty logs, each at SIZE, with
# identical heads everywhere.
converged() {
  local want=$1 ref n
  ref=$(heads n0)
  [ "$(printf '%s\n' "$ref" | awk -v s="$want" '$2 == s' | wc -l)" -eq "$NODES" ] || return 1
  for n in "${ALL[@]:1}"; do
    [ "$(heads "$n")" = "$ref" ] || return 1
  done
}

say "all $NODES logs reach all $NODES nodes within $BOUND s"
wait_for "$BOUND" converged 4 || {
  for n in "${ALL[@]}"; do echo "$n: $(heads "$n" | wc -l) logs" >&2; done
  die "no convergence within $BOUND s"
}
say "  converged $(($(now_ms) - t0)) ms after the first node started"

say "one more award on every node, while running: converges again within $BOUND s"
t1=$(now_ms)
for n in "${ALL[@]}"; do issue "$n" 1; done
wait_for "$BOUND" converged 5 || {
  for n in "${ALL[@]}"; do echo "$n: $(heads "$n" | awk '$2 != 5' | wc -l) logs not at 5" >&2; done
  die "no convergence of the live entries within $BOUND s"
}
say "  converged $(($(now_ms) - t1)) ms after the first new award"

for n in "${ALL[@]}"; do stop_node "$n"; done
say "every node's own log is the one it issued (size 5), and a far node audits clean"
for n in "${ALL[@]}"; do [ "$(own_size "$n")" = 5 ] || die "$n's own log is at $(own_size "$n")"; done
audit_clean n$((NODES - 1))
audit_clean n0
echo "fed_mesh: all checks passed"
