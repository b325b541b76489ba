#!/usr/bin/env bash
# Federation: a one-shot `credport sync` exits 0 only when both directions
# are complete. A holds a log larger than one credit window of its partner
# (CP_SESSION_CREDIT_ENTRIES, 32768 entries); B, serving, starts empty.
#  1. `sync` from A to B exits 0, and at that moment B holds all of A's log
#     (the partner confirmed every entry committed), not one window of it.
#  2. A `sync` whose partner stops answering part-way (SIGSTOP) exits
#     non-zero and says what is left ("log ...: we hold N"). The receiver's
#     window is made small (CREDPORT_CREDIT_ENTRIES) so that the partner,
#     stopped, cannot have sent everything already.
# Usage: bash fed_oneshot.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_oneshot.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"
AWARDS=40000

node_init A US-NC
node_init B US-WY
node_init C US-SC
say "A issues $AWARDS awards (award --csv)"
issue A "$AWARDS"
TOTAL=$(own_size A)
[ "$TOTAL" = $((AWARDS + 2)) ] || die "A's log has $TOTAL entries"
"$CP" -d "${D[B]}" peer add --accept "${KEY[A]}" >/dev/null
start_node B

say "sync A -> B: exit 0 only with all $TOTAL entries committed at B"
out=$T/sync1.out
rc=0
timeout 120 "$CP" -d "${D[A]}" sync "127.0.0.1:${PORT[B]}" "${KEY[B]}" >"$out" 2>&1 || rc=$?
# Read B's size before anything else can happen: the sync said it is done.
got=$(log_size B "${KEY[A]}")
say "  sync exited $rc; B holds $got of $TOTAL"
[ "$rc" -eq 0 ] || { cat "$out" >&2; die "sync exited $rc"; }
[ "$got" = "$TOTAL" ] || { cat "$out" >&2; die "sync exited 0 with B at $got of $TOTAL entries"; }
grep -q "synced with" "$out" || die "no summary line: $(cat "$out")"
same_heads A B || die "A and B differ after the sync"
stop_node B

say "sync C <- A with A stopped part-way (SIGSTOP): non-zero, says what is left"
"$CP" -d "${D[A]}" peer add --accept "${KEY[C]}" >/dev/null
NODE_ENV="CREDPORT_IDLE_MS=2000" start_node A
out=$T/sync2.out
rc=0
CREDPORT_IDLE_MS=2000 CREDPORT_CREDIT_ENTRIES=500 timeout 120 "$CP" -d "${D[C]}" sync "127.0.0.1:${PORT[A]}" "${KEY[A]}" \
  >"$out" 2>&1 &
SP=$!
BGPIDS+=("$SP")
t0=$(now_ms)
while [ "$(log_size C "${KEY[A]}")" -lt 1000 ]; do
  [ $(($(now_ms) - t0)) -lt 30000 ] || die "C received nothing from A in 30 s"
  kill -0 "$SP" 2>/dev/null || { cat "$out" >&2; die "the sync ended before A was stopped"; }
  sleep 0.02
done
kill -STOP "${PID[A]}"
wait "$SP" || rc=$?
kill -CONT "${PID[A]}"
have=$(log_size C "${KEY[A]}")
say "  sync exited $rc with C at $have of $TOTAL: $(tail -n 1 "$out")"
[ "$rc" -ne 0 ] || { cat "$out" >&2; die "sync exited 0 with C at $have of $TOTAL"; }
[ "$have" -lt "$TOTAL" ] || die "C got everything: the stop came too late to test"
grep -q "did not complete" "$out" || die "no failure line: $(cat "$out")"
grep -q "log ${KEY[A]:0:16}…: we hold $have" "$out" ||
  die "the failure does not say what is left: $(cat "$out")"
stop_node A
audit_clean C
echo "fed_oneshot: all checks passed"
