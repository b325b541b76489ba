#!/usr/bin/env bash
# Federation: three nodes in a line A - B - C (B dials both; A and C never
# talk). An entry made on A reaches C through B, before and during live
# sessions; C holds A's log at A's size with A's root; C's audit is clean.
# Usage: bash fed_line.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_line.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"

node_init A US-NC
node_init B US-WY
node_init C US-SC
issue A 5
"$CP" -d "${D[A]}" peer add --accept "${KEY[B]}" >/dev/null
"$CP" -d "${D[C]}" peer add --accept "${KEY[B]}" >/dev/null
start_node A
start_node C
"$CP" -d "${D[B]}" peer add "127.0.0.1:${PORT[A]}" "${KEY[A]}" >/dev/null
"$CP" -d "${D[B]}" peer add "127.0.0.1:${PORT[C]}" "${KEY[C]}" >/dev/null
start_node B

a_at_c() { [ "$(heads A | grep "^${KEY[A]} ")" = "$(heads C | grep "^${KEY[A]} ")" ]; }

say "A's log (7 entries) reaches C through B, with A's size and root"
[ "$(own_size A)" = 7 ] || die "A's log has $(own_size A) entries, expected 7"
wait_for 20 a_at_c || die "C does not hold A's log as A does: A: $(heads A | grep "^${KEY[A]}") C: $(heads C | grep "^${KEY[A]}" || true)"

say "all three converge: every log at the same size and root on A, B and C"
wait_for 20 same_heads A B C || die "heads differ: A: $(heads A) / B: $(heads B) / C: $(heads C)"
[ "$(heads C | wc -l)" -eq 3 ] || die "C holds $(heads C | wc -l) logs, expected 3"

say "a new entry made on A while the nodes run reaches C live"
t0=$(now_ms)
issue A 1
[ "$(own_size A)" = 8 ] || die "A's log did not grow"
wait_for 20 a_at_c || die "A's new entry did not reach C: $(heads C | grep "^${KEY[A]}" || true)"
say "  ... in $(($(now_ms) - t0)) ms"
[ "$(log_size C "${KEY[A]}")" = 8 ] || die "C holds A's log at $(log_size C "${KEY[A]}")"

say "an entry made on C reaches A the other way"
issue C 2
wait_for 20 same_heads A B C || die "C's entries did not reach A: A: $(heads A) / C: $(heads C)"

say "A and C never had a session with each other"
if grep -q "peer=${KEY[C]:0:16}" "${LOGF[A]}"; then die "A talked to C directly"; fi
if grep -q "peer=${KEY[A]:0:16}" "${LOGF[C]}"; then die "C talked to A directly"; fi
grep -q "event=connected peer=${KEY[A]:0:16}" "${LOGF[B]}" || die "B never connected to A"
grep -q "event=connected peer=${KEY[C]:0:16}" "${LOGF[B]}" || die "B never connected to C"

say "C's status lists B as a partner that synced"
stop_node B
stop_node A
stop_node C
"$CP" -d "${D[C]}" status --json | grepq "\"key\":\"${KEY[B]}\"" || die "C's status does not list B"
"$CP" -d "${D[C]}" peer list --json | grepq "\"last_sync_unix\":[1-9]" || die "C's peer record of B has no last_sync"

say "C's audit is clean (it replays A's log from seq 0)"
audit_clean C
audit_clean B
grep -q '3 logs' "$T/audit.C.out" || die "C's audit did not cover 3 logs: $(cat "$T/audit.C.out")"
echo "fed_line: all checks passed"
