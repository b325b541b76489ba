#!/usr/bin/env bash
# Federation: restart a node mid-sync and resume. A holds a large log; B,
# empty, dials A and is killed with SIGKILL part-way through the transfer.
# On restart B resumes from its last committed entry, not from zero: the
# second run receives exactly the entries B did not have. Both end
# identical; B's audit is clean.
# Usage: bash fed_resume.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_resume.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"
AWARDS=40000

node_init A US-NC
node_init B US-WY
say "A issues $AWARDS awards (award --csv)"
issue A "$AWARDS"
TOTAL=$(own_size A)
[ "$TOTAL" = $((AWARDS + 2)) ] || die "A's log has $TOTAL entries"
"$CP" -d "${D[A]}" peer add --accept "${KEY[B]}" >/dev/null
start_node A
"$CP" -d "${D[B]}" peer add "127.0.0.1:${PORT[A]}" "${KEY[A]}" >/dev/null

say "B starts empty and is killed (SIGKILL) part-way through A's log"
start_node B
t0=$(now_ms)
got=0
while :; do
  got=$(log_size B "${KEY[A]}")
  [ "$got" -ge 2000 ] && break
  [ $(($(now_ms) - t0)) -lt 30000 ] || die "B received only $got of A's entries in 30 s"
  sleep 0.02
done
kill_node B
K=$(log_size B "${KEY[A]}")
say "  B held $K of $TOTAL entries of A's log when killed"
[ "$K" -gt 0 ] && [ "$K" -lt "$TOTAL" ] ||
  die "B was not killed part-way: it holds $K of $TOTAL (the transfer was too fast to catch)"

say "B's store after the kill audits clean"
audit_clean B

say "B restarts and resumes from entry $K"
start_node B
wait_for 40 same_heads A B || die "no convergence after the restart: A: $(heads A) / B: $(heads B)"
stop_node B
line=$(grep 'credport serve: stopped after' "${LOGF[B]}" || true)
[ -n "$line" ] || die "B's second run printed no summary line"
N=$(printf '%s\n' "$line" | sed -n 's/.*: \([0-9]*\) entries received.*/\1/p')
say "  second run: $line"
[ -n "$N" ] || die "no entry count in: $line"
[ "$N" -lt "$TOTAL" ] || die "the second run received $N entries: it started over (total $TOTAL)"
[ "$N" -eq $((TOTAL - K)) ] ||
  die "the second run received $N entries; B lacked $((TOTAL - K)) (held $K of $TOTAL)"

say "B's peer record counts what both runs received"
rec=$("$CP" -d "${D[B]}" peer list --json)
ein=$(printf '%s' "$rec" | sed -n 's/.*"entries_in":\([0-9]*\).*/\1/p')
[ -n "$ein" ] && [ "$ein" -ge "$N" ] || die "B's peer record of A: $rec"

stop_node A
say "A and B are identical; B's audit is clean"
same_heads A B || die "heads differ: A: $(heads A) / B: $(heads B)"
[ "$(log_size B "${KEY[A]}")" = "$TOTAL" ] || die "B holds $(log_size B "${KEY[A]}") of A's $TOTAL entries"
audit_clean B
echo "fed_resume: all checks passed (killed at $K of $TOTAL; resumed with $N)"
