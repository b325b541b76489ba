#!/usr/bin/env bash
# Federation crash safety: B, empty, receives A's log of 100,002 entries and
# is killed with SIGKILL at 20 random moments of the transfer. After each
# kill B's store audits clean and holds at least what status --json showed
# just before the kill (nothing committed is lost); after the last restart
# the sync completes and B's heads equal A's.
#
# The moments come from a seeded generator; the seed is printed first, and
# CP_CRASH_SEED=N replays a run: the same targets (entries B must hold) and
# the same delays after them.
# Usage: bash fed_crash.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_crash.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"
AWARDS=100000
KILLS=20
SEED=${CP_CRASH_SEED:-$(($(date +%s) % 1000000))}
RANDOM=$SEED
say "seed $SEED (replay with CP_CRASH_SEED=$SEED)"

node_init A US-NC
node_init B US-WY
say "A issues $AWARDS awards (one award --csv)"
"$CP" -d "${D[A]}" credential define --id c1 --title "One of A" --competency one --level 1 \
  --hours 1 >/dev/null || die "credential define on A"
awk -v n=$AWARDS 'BEGIN { print "credential,educator,earned,assessor,evidence_sha256";
  for (i = 0; i < n; i++) printf "c1,%064x,2026-01-01,row %d,\n", i + 1, i }' >"$T/a.csv"
rc=0
timeout 120 "$CP" -d "${D[A]}" award --csv "$T/a.csv" >/dev/null || rc=$?
[ "$rc" -eq 0 ] || die "award --csv on A failed (exit $rc)"
TOTAL=$(own_size A)
[ "$TOTAL" = $((AWARDS + 2)) ] || die "A's log has $TOTAL entries"
"$CP" -d "${D[A]}" peer add --accept "${KEY[B]}" >/dev/null
start_node A
"$CP" -d "${D[B]}" peer add "127.0.0.1:${PORT[A]}" "${KEY[A]}" >/dev/null

# Moment k: B is started, runs until it has committed at least TARGET[k]
# entries of A's log (20 sorted random targets below 60% of TOTAL; a target
# B already passed kills it during the reconnection and handshake), then
# runs a random 0..EXTRA ms more, which lands the kill inside a verification
# batch, a commit or the wait for the next batch. B commits in large
# batches (a credit window, about a third of the log, at a time), so the
# targets stop short of the last one: a kill after the transfer completed
# tests nothing, and at least half of them must land before it.
EXTRA=${CP_CRASH_EXTRA_MS:-400}
targets=()
for ((k = 0; k < KILLS; k++)); do targets+=($(((RANDOM * 32768 + RANDOM) % (TOTAL * 6 / 10)))); done
mapfile -t targets < <(printf '%s\n' "${targets[@]}" | sort -n)
prev=0
mid=0
moments=()
reached() { [ "$(log_size B "${KEY[A]}")" -ge "$1" ]; }
for ((k = 1; k <= KILLS; k++)); do
  target=${targets[k - 1]}
  ms=$((RANDOM % (EXTRA + 1)))
  moments+=("$target+${ms}ms")
  start_node B
  wait_for 120 reached "$target" ||
    die "kill $k (seed $SEED): B did not reach $target entries of A's log in 120 s"
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
  # What B has committed at this instant: status reads a committed snapshot.
  before=$(log_size B "${KEY[A]}")
  kill_node B
  after=$(log_size B "${KEY[A]}")
  say "kill $k at $target entries + ${ms} ms: B held $before of $TOTAL before, $after after"
  [ "$after" -ge "$before" ] ||
    die "kill $k (seed $SEED): B held $before entries of A's log before the kill, $after after"
  [ "$after" -ge "$prev" ] ||
    die "kill $k (seed $SEED): B held $prev entries after the previous kill, $after now"
  [ "$after" -lt "$TOTAL" ] && mid=$((mid + 1))
  prev=$after
  audit_clean B
done
say "moments (entries reached + delay): ${moments[*]}"
say "$mid of $KILLS kills landed before the transfer was complete"
[ "$mid" -ge $((KILLS / 2)) ] ||
  die "only $mid of $KILLS kills landed mid-transfer (seed $SEED): the transfer outran the moments"

say "B restarts a last time; the sync completes"
start_node B
wait_for 180 same_heads A B || die "no convergence after the last restart: A: $(heads A) / B: $(heads B)"
stop_node B
stop_node A
same_heads A B || die "heads differ: A: $(heads A) / B: $(heads B)"
[ "$(log_size B "${KEY[A]}")" = "$TOTAL" ] || die "B holds $(log_size B "${KEY[A]}") of A's $TOTAL entries"
audit_clean B
echo "fed_crash: all checks passed (seed $SEED; $mid of $KILLS kills mid-transfer)"
