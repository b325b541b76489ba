#!/usr/bin/env bash
# Federation: witnesses cosign again (docs/PROTOCOL.md L-2a). Checkpoints
# carry no time: a cosignature's timestamp is the freshness a verifier
# demands. A issues and stops growing; B witnesses A's log. With a short
# re-cosigning interval (CREDPORT_RECOSIGN_MS), B's cosignature on A's
# unchanged checkpoint keeps getting newer, on B and, relayed, on A (which
# trusts B's witness key), while A's log stays at the same size; neither
# node spends its partner's budget, and both audits stay clean.
# Usage: bash fed_recosign.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_recosign.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"

for n in A B; do node_init "$n"; done
WV_B=$("$CP" -d "${D[B]}" whoami --json | sed -n 's/.*"witness_vkey":"\([^"]*\)".*/\1/p')
"$CP" -d "${D[A]}" witness trust "$WV_B"
issue A 3
SIZE=$(own_size A)
"$CP" -d "${D[A]}" peer add --accept "${KEY[B]}" >/dev/null
NODE_ENV="CREDPORT_RECOSIGN_MS=1500" start_node A
"$CP" -d "${D[B]}" peer add "127.0.0.1:${PORT[A]}" "${KEY[A]}" >/dev/null
NODE_ENV="CREDPORT_RECOSIGN_MS=1500" start_node B

# newest NODE: the newest cosignature time on A's checkpoint at NODE (0: none).
newest() {
  "$CP" -d "${D[$1]}" status --json |
    python3 -c 'import json,sys; l=[x for x in json.load(sys.stdin)["logs"] if x["log"]==sys.argv[1]]; print((l[0]["newest_cosignature_unix"] or 0) if l and l[0]["checkpoint"] else 0)' "${KEY[A]}"
}
# b_line NODE: B's cosignature line on A's checkpoint at NODE.
b_line() { "$CP" -d "${D[$1]}" checkpoint --log "${KEY[A]}" | grep "^— ${WV_B%%+*} " || true; }
cosigned() { [ -n "$(b_line A)" ] && [ -n "$(b_line B)" ]; }
say "B cosigns A's checkpoint; A carries the cosignature"
wait_for 30 cosigned || die "A's checkpoint carries no cosignature by B (A: $(newest A), B: $(newest B))"
T1=$(newest B)
L1=$(b_line B)
newer() { [ "$(newest B)" -gt "$T1" ] && [ "$(newest A)" -gt "$T1" ]; }
say "B cosigns A's unchanged checkpoint again; the fresher line reaches A"
wait_for 20 newer || die "no newer cosignature than $T1 (B: $(newest B), A: $(newest A))"
[ "$(b_line B)" != "$L1" ] || die "B's cosignature line did not change"
[ "$(own_size A)" = "$SIZE" ] || die "A's log grew"
"$CP" -d "${D[B]}" checkpoint --log "${KEY[A]}" >"$T/cp.B"
[ "$(sed -n 2p "$T/cp.B")" = "$SIZE" ] || die "B's checkpoint of A is not at size $SIZE"
[ "$(grep -c "^— ${WV_B%%+*} " "$T/cp.B")" = 1 ] || die "B's note carries more than one line by B"

say "and again: over 4 s more, B's cosignature keeps advancing"
T2=$(newest B)
sleep 4
T3=$(newest B)
[ "$T3" -gt "$T2" ] || die "B's cosignature stayed at $T2 for 4 s"
for n in A B; do
  ! grep -q "event=over-budget" "${LOGF[$n]}" || die "$n closed a session over budget"
  ! grep -q "event=refused" "${LOGF[$n]}" || die "$n refused: $(grep event=refused "${LOGF[$n]}")"
  ! grep -q "event=recosign-failed" "${LOGF[$n]}" || die "$n: $(grep recosign-failed "${LOGF[$n]}")"
done
for n in A B; do stop_node "$n"; done
for n in A B; do audit_clean "$n"; done
say "ok"
