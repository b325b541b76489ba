#!/usr/bin/env bash
# wallet export on a replica: a node that took an issuer's log through
# serve/sync exports the educator's wallet from its own copy, with the
# checkpoint it holds (its own cosignature on it), and says per log when it
# holds no revocation statement for that checkpoint (then the awards carry
# no status and present refuses them, naming why), or, when it holds one,
# marks the revoked award as the issuer's node does. Also runs `bench proofs`
# on small logs, which ends only if its wallets and bundle were made.
# Usage: bash fed_wallet.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_wallet.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"

node_init A US-NC
node_init B US-WY
ANA=$("$CP" educator keygen --out "$T/ana.key")
C1=$("$CP" -d "${D[A]}" credential define --id c1 --title One --competency one --level 1 \
  --hours 1) || die "define"
AW=()
for i in 1 2 3; do
  AW+=("$("$CP" -d "${D[A]}" award --credential c1 --educator "$ANA" --earned 2026-01-0$i)")
done
"$CP" -d "${D[A]}" revoke "${AW[0]}" --reason "issued in error" >/dev/null || die "revoke"
"$CP" -d "${D[B]}" peer add --accept "${KEY[A]}" >/dev/null
start_node B
"$CP" -d "${D[A]}" sync "127.0.0.1:${PORT[B]}" "${KEY[B]}" >/dev/null || die "sync"
stop_node B
# B vouches for A's credential and for A; a third node's endorsement of an
# unrelated key stays out.
"$CP" -d "${D[B]}" endorse --credential "$C1" --claim qa:multistate >/dev/null || die "endorse c1"
"$CP" -d "${D[B]}" endorse --authority "${KEY[A]}" --claim approved-by >/dev/null || die "endorse A"
"$CP" -d "${D[B]}" endorse --authority "$(printf '5%.0s' {1..64})" --claim other >/dev/null ||
  die "endorse other"

say "the issuer's wallet: 3 awards, 1 revoked"
"$CP" -d "${D[A]}" wallet export --educator "$ANA" --out "$T/wa.bin" >"$T/out" || die "export on A"
grepq "wallet: 3 awards (1 revoked, 0 without status) from 1 log" "$T/out" || die "A: $(cat "$T/out")"

say "the replica's wallet: its copy, its cosignature, its endorsements, the statement named when missing"
"$CP" -d "${D[B]}" wallet export --educator "$ANA" --out "$T/wb.bin" >"$T/out" 2>"$T/err" ||
  die "export on B: $(cat "$T/err")"
WNAME=$("$CP" -d "${D[B]}" whoami --json | sed -n 's/.*"witness_vkey":"\([^+]*\)+.*/\1/p')
[ -n "$WNAME" ] || die "no witness name for B"
grepq -F -- "— $WNAME " "$T/wb.bin" || die "B's cosignature is not on the checkpoint in its wallet"
grepq -F qa:multistate "$T/wb.bin" && grepq -F approved-by "$T/wb.bin" ||
  die "B's endorsements are not in its wallet"
if grepq -a -F other "$T/wb.bin"; then
  die "an unrelated endorsement is in the wallet"
fi
if grepq "no revocation statement is held" "$T/err"; then
  grepq "log credport/us-nc/.*: no revocation statement is held at its checkpoint (size 6): the revocation status of its awards is unknown" "$T/err" ||
    die "the missing statement is not named per log: $(cat "$T/err")"
  grepq "wallet: 3 awards (0 revoked, 3 without status) from 2 logs" "$T/out" || die "B: $(cat "$T/out")"
  rc=0
  "$CP" present --key "$T/ana.key" --from "$T/wb.bin" --challenge n --audience a \
    --out "$T/b.bin" 2>"$T/err" || rc=$?
  [ "$rc" = 1 ] && grepq "no award that is shown not revoked" "$T/err" || die "present: $rc"
  rc=0
  "$CP" present --key "$T/ana.key" --from "$T/wb.bin" --award "${AW[1]}" --challenge n \
    --audience a --out "$T/b.bin" 2>"$T/err" || rc=$?
  [ "$rc" = 1 ] && grepq "has no revocation status in the wallet" "$T/err" || die "present: $rc"
  [ ! -e "$T/b.bin" ] || die "present wrote a bundle without revocation status"
else
  grepq "wallet: 3 awards (1 revoked, 0 without status) from 2 logs" "$T/out" || die "B: $(cat "$T/out")"
  "$CP" present --key "$T/ana.key" --from "$T/wb.bin" --challenge n --audience a \
    --out "$T/b.bin" >"$T/out" || die "present from B's wallet"
  grepq "bundle: 2 awards from 2 logs" "$T/out" || die "present: $(cat "$T/out")"
fi
say "bench proofs runs end to end on small logs (not under valgrind: it signs thousands)"
"$CP" bench proofs --n 3000 --revoke-every 100 >"$T/bench" 2>&1 || die "bench proofs: $(cat "$T/bench")"
grepq "^bundle: 14 awards, 14 definitions, 3 logs: [0-9]* bytes" "$T/bench" || die "$(cat "$T/bench")"
grepq "^wallet export, 100 awards: " "$T/bench" || die "$(cat "$T/bench")"
# Each log's awards are shown unrevoked together: with about 30 revocations and 4 or 5
# awards a log, at most 10 leaves (400 bytes) and their multiproof (at most 20 hashes)
# a log, under 3,200 bytes for the three whatever the award IDs (about 1,500 typically);
# one absence proof per award, two paths of 4 or 5 hashes each, took about 5,800.
rv=$(sed -n 's/.*revocation leaves and multiproofs \([0-9]*\),.*/\1/p' "$T/bench")
[ -n "$rv" ] && [ "$rv" -lt 4000 ] || die "revocation part: $(cat "$T/bench")"
say "ok"
