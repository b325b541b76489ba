#!/usr/bin/env bash
# Federation: witnesses make `verify --witnesses 2` catch an issuer that
# forks its log. X issues an award to the educator; B and C (witnesses of
# each other) take X's log and both cosign its checkpoint, which carries
# both cosignatures back to X: a bundle from X's wallet verifies with
# --witnesses 2 and --max-age. Then X signs two histories (its data folder
# copied, both copies append an award): B takes one branch, C the other
# (from the copy), each cosigning only what it saw. A bundle from the
# copy's wallet carries C's cosignature alone: refused with "too few
# witnesses" naming C, and, checked against B's node (-d), as a fork.
# Last, `credport demo` (three nodes, witnesses of one another) shows the
# same to a reader: valid with two witnesses, a replay and a revoked award
# refused.
# Usage: bash fed_verify.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_verify.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"

declare -A WV
node_init X US-NC
node_init B US-VA
node_init C US-SC
for n in B C; do
  WV[$n]=$("$CP" -d "${D[$n]}" whoami --json | sed -n 's/.*"witness_vkey":"\([^"]*\)".*/\1/p')
  [ -n "${WV[$n]}" ] || die "no witness key for $n"
done
"$CP" -d "${D[B]}" witness trust "${WV[C]}" >/dev/null
"$CP" -d "${D[C]}" witness trust "${WV[B]}" >/dev/null
"$CP" -d "${D[X]}" witness trust "${WV[B]}" >/dev/null
"$CP" -d "${D[X]}" witness trust "${WV[C]}" >/dev/null
"$CP" educator keygen --out "$T/ana.key" >"$T/ana.pub"
ANA=$(cat "$T/ana.pub")
"$CP" -d "${D[X]}" credential define --id c1 --title "Exit Tickets" --competency one --level 2 \
  --hours 10 >/dev/null
"$CP" -d "${D[X]}" award --credential c1 --educator "$ANA" --earned 2026-01-02 >/dev/null
{
  "$CP" -d "${D[X]}" whoami --json | sed -n 's/.*"vkey":"\([^"]*\)".*/\1/p'
  printf 'witness %s\nwitness %s\n' "${WV[B]}" "${WV[C]}"
} >"$T/trust"

say "B and C take X's log; both cosign X's checkpoint and the cosignatures travel"
"$CP" -d "${D[X]}" peer add --accept "${KEY[B]}" >/dev/null
"$CP" -d "${D[X]}" peer add --accept "${KEY[C]}" >/dev/null
start_node X
for n in B C; do
  "$CP" -d "${D[$n]}" peer add "127.0.0.1:${PORT[X]}" "${KEY[X]}" >/dev/null
  start_node "$n"
done
cosigs() {
  "$CP" -d "${D[$1]}" checkpoint --log "${KEY[X]}" 2>/dev/null | grep -c '^— .*/witness' || true
}
two() { [ "$(cosigs "$1")" = 2 ]; }
wait_for 30 two X || die "X's checkpoint at X carries $(cosigs X) cosignatures, want 2"
for n in X B C; do stop_node "$n"; done

"$CP" -d "${D[X]}" wallet export --educator "$ANA" --out "$T/w.b" >/dev/null
"$CP" present --key "$T/ana.key" --from "$T/w.b" --challenge n-1 --audience School \
  --out "$T/b.b" >/dev/null
"$CP" verify "$T/b.b" --trust "$T/trust" --challenge n-1 --audience School --witnesses 2 \
  --max-age 1h >"$T/out" 2>"$T/err" || die "the twice-witnessed bundle does not verify: $(cat "$T/out")"
grepq "cosigned by 2 trusted witnesses (2 required)" "$T/out" || die "$(cat "$T/out")"

say "X forks its log: B takes one branch, C the other"
D[X2]=$T/X2
cp -a "${D[X]}" "${D[X2]}"
KEY[X2]=${KEY[X]}
RUNS[X2]=0
"$CP" -d "${D[X]}" award --credential c1 --educator "$ANA" --earned 2026-02-01 >/dev/null
"$CP" -d "${D[X2]}" award --credential c1 --educator "$ANA" --earned 2026-03-01 >/dev/null
start_node X
"$CP" -d "${D[B]}" sync "127.0.0.1:${PORT[X]}" "${KEY[X]}" >"$T/sync.B" 2>&1 ||
  die "sync B <- X: $(cat "$T/sync.B")"
stop_node X
start_node X2
"$CP" -d "${D[C]}" sync "127.0.0.1:${PORT[X2]}" "${KEY[X]}" >"$T/sync.C" 2>&1 ||
  die "sync C <- X2: $(cat "$T/sync.C")"
stop_node X2
[ "$(log_size B "${KEY[X]}")" = 4 ] || die "B holds X's log at $(log_size B "${KEY[X]}")"
[ "$(log_size C "${KEY[X]}")" = 4 ] || die "C holds X's log at $(log_size C "${KEY[X]}")"

say "the copy's branch, witnessed by C alone: too few witnesses, and a fork against B's node"
"$CP" -d "${D[X2]}" wallet export --educator "$ANA" --out "$T/w.c" >/dev/null
"$CP" present --key "$T/ana.key" --from "$T/w.c" --challenge n-2 --audience School \
  --out "$T/b.c" >/dev/null
rc=0
"$CP" verify "$T/b.c" --trust "$T/trust" --challenge n-2 --witnesses 2 >"$T/out" 2>"$T/err" ||
  rc=$?
[ "$rc" = 1 ] || die "verify --witnesses 2 exited $rc: $(cat "$T/out")"
grepq "too few witnesses: .* at size 4: cosigned by 1 of the 2 required trusted witnesses (2 trusted): ${WV[C]%%+*}$" \
  "$T/out" || die "no too-few-witnesses reason naming C: $(cat "$T/out")"
rc=0
"$CP" verify "$T/b.c" --trust "$T/trust" --challenge n-2 -d "${D[B]}" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || die "verify -d B exited $rc: $(cat "$T/out")"
grepq "inconsistent with the verifier's node (fork): .*at size 4 is not consistent with the node's" \
  "$T/out" || die "no fork reason against B's node: $(cat "$T/out")"
# With one witness required and C's node beside it, that branch verifies.
"$CP" verify "$T/b.c" --trust "$T/trust" --challenge n-2 --witnesses 1 -d "${D[C]}" >"$T/out" \
  2>"$T/err" || die "C's branch against C's node: $(cat "$T/out")"

say "credport demo: the school verifies with NC's key and two witnesses; a replay and a revoked award are refused"
"$CP" demo >"$T/demo.out" 2>&1 || die "demo failed: $(grep -B5 '!!' "$T/demo.out")"
grepq -- "--witnesses 2 --max-age 1h" "$T/demo.out" || die "the demo does not verify with two witnesses"
grepq "cosigned by 2 trusted witnesses (2 required)" "$T/demo.out" || die "demo: no two witnesses"
grepq "^  verdict: VALID$" "$T/demo.out" || die "demo: no valid bundle"
grepq "^  verdict: NOT VALID: wrong challenge$" "$T/demo.out" || die "demo: the replay was not refused"
grepq "^  verdict: NOT VALID: revoked$" "$T/demo.out" || die "demo: the revoked award was not refused"
grepq "demo: done" "$T/demo.out" || die "demo did not finish"
say "ok"
