#!/usr/bin/env bash
# Federation: partition and heal. A - B - C in a line (B dials both). B is
# stopped; A and C keep issuing and cannot see each other's new entries;
# B restarts; all three converge to identical heads (every log's size and
# root), twice: after a clean stop and after a SIGKILL.
# Usage: bash fed_partition.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_partition.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"

node_init A US-NC
node_init B US-WY
node_init C US-SC
issue A 3
issue C 3
"$CP" -d "${D[A]}" peer add --accept "${KEY[B]}" >/dev/null
"$CP" -d "${D[C]}" peer add --accept "${KEY[B]}" >/dev/null
start_node A
start_node C
"$CP" -d "${D[B]}" peer add "127.0.0.1:${PORT[A]}" "${KEY[A]}" >/dev/null
"$CP" -d "${D[B]}" peer add "127.0.0.1:${PORT[C]}" "${KEY[C]}" >/dev/null
start_node B

say "before the partition: A, B and C converge"
wait_for 20 same_heads A B C || die "no convergence: A: $(heads A) / B: $(heads B) / C: $(heads C)"

partition_round() {
  local how=$1 round=$2 a0 c0
  say "round $round: B stopped ($how)"
  if [ "$how" = SIGTERM ]; then stop_node B; else kill_node B; fi
  a0=$(own_size A)
  c0=$(own_size C)
  say "round $round: A and C keep issuing while B is down"
  issue A 4
  issue C 2
  sleep 0.5
  issue A 1
  [ "$(own_size A)" = $((a0 + 5)) ] || die "A's log did not grow"
  [ "$(own_size C)" = $((c0 + 2)) ] || die "C's log did not grow"
  sleep 1
  [ "$(log_size C "${KEY[A]}")" = "$a0" ] || die "C saw A's new entries although B is down"
  [ "$(log_size A "${KEY[C]}")" = "$c0" ] || die "A saw C's new entries although B is down"
  [ "$(log_size B "${KEY[A]}")" = "$a0" ] || die "B's store changed while B was down"
  say "round $round: B restarts; all converge to identical heads"
  local t0
  t0=$(now_ms)
  start_node B
  wait_for 30 same_heads A B C ||
    die "round $round: no convergence after the heal: A: $(heads A) / B: $(heads B) / C: $(heads C)"
  say "  ... in $(($(now_ms) - t0)) ms"
  [ "$(log_size C "${KEY[A]}")" = "$(own_size A)" ] || die "C does not hold A's log at A's size"
  [ "$(log_size A "${KEY[C]}")" = "$(own_size C)" ] || die "A does not hold C's log at C's size"
  [ "$(heads A | wc -l)" -eq 3 ] || die "A holds $(heads A | wc -l) logs, expected 3"
}

partition_round SIGTERM 1
partition_round SIGKILL 2

say "entries issued after the heal still flow both ways"
issue A 1
issue C 1
wait_for 20 same_heads A B C || die "no convergence after the heal: A: $(heads A) / C: $(heads C)"

stop_node B
stop_node A
stop_node C
say "audits after the partitions are clean"
audit_clean A
audit_clean B
audit_clean C
echo "fed_partition: all checks passed"
