#!/usr/bin/env bash
# Issuer key rotation and retirement (`credport key`, docs/OPERATIONS.md).
#  1. Awards signed before and after a rotation verify (inclusion proofs
#     against a checkpoint, under the new vkey); audit is clean on the issuer
#     and on a partner that took the log through a real serve/sync pair.
#  2. A kill at each step of a rotation (CREDPORT_TEST_KILL_AT) leaves a node
#     that signs with the key its log expects: the next writing command
#     finishes a committed rotation, or ignores one that never committed.
#     A backup taken then holds the key its ledger snapshot is signed with.
#  3. A key file that is not the log's key in force is refused, saying so.
#  4. After `key retire`, `award` fails saying the log is retired, and the
#     partner takes the retirement.
# Usage: bash cli_keys.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: cli_keys.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"

jget() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }
mode() { stat -c %a "$1"; }
award() { # award NODE-DIR DATE: prints the new award's entry ID
  "$CP" -d "$1" award --credential c1 --educator "$EDU" --earned "$2" --json | jget id
}
proves() { # proves NODE-DIR ID VKEY: an inclusion proof of ID verifies
  "$CP" -d "$1" prove inclusion "$2" --json >"$T/p.json" || die "prove inclusion $2"
  "$CP" -d "$1" checkpoint >"$T/cp.txt" || die "checkpoint"
  "$CP" verify-proof "$T/p.json" --checkpoint "$T/cp.txt" --vkey "$3" >/dev/null ||
    die "the proof of $2 does not verify under $3"
}

node_init A US-NC
node_init B US-WY
LOG=${KEY[A]}
EDU=$("$CP" educator keygen --out "$T/edu.key")
"$CP" -d "${D[A]}" credential define --id c1 --title One --competency one --level 1 \
  --hours 1 >/dev/null
OLDVKEY=$("$CP" -d "${D[A]}" whoami --json | jget vkey)
BEFORE=$(award "${D[A]}" 2026-01-05)
[ ${#BEFORE} -eq 64 ] || die "no award ID"
"$CP" -d "${D[B]}" peer add --accept "${KEY[A]}" >/dev/null
start_node B
"$CP" -d "${D[A]}" sync "127.0.0.1:${PORT[B]}" "${KEY[B]}" >/dev/null || die "first sync"
[ "$(log_size B "$LOG")" = 3 ] || die "B holds $(log_size B "$LOG") of 3 entries"

say "key rotate: new key in force, old one kept 0600, no pending file left"
cp -a "${D[A]}" "$T/pre-rotation"
"$CP" -d "${D[A]}" key rotate --json --out "$T/new-copy.key" >"$T/rot.json" || die "key rotate"
NEW=$(jget public_key <"$T/rot.json")
[ ${#NEW} -eq 64 ] && [ "$NEW" != "$LOG" ] || die "rotate printed no new key: $(cat "$T/rot.json")"
RET=${D[A]}/authority.key.retired-${LOG:0:16}
[ -f "$RET" ] || die "the old key was not kept as $RET"
[ "$(mode "$RET")" = 600 ] && [ "$(mode "${D[A]}/authority.key")" = 600 ] &&
  [ "$(mode "$T/new-copy.key")" = 600 ] || die "key file modes are not 600"
cmp -s "$RET" "$T/pre-rotation/authority.key" || die "$RET is not the old key"
cmp -s "$T/new-copy.key" "${D[A]}/authority.key" || die "--out is not a copy of the new key"
[ ! -e "${D[A]}/authority.key.next" ] || die "authority.key.next left behind"
"$CP" -d "${D[A]}" whoami --json >"$T/who.json" || die "whoami after the rotation"
[ "$(jget public_key <"$T/who.json")" = "$NEW" ] || die "whoami does not show the new key"
[ "$(jget log <"$T/who.json")" = "$LOG" ] || die "whoami lost the log key"
NEWVKEY=$(jget vkey <"$T/who.json")
[ "$NEWVKEY" != "$OLDVKEY" ] || die "the vkey did not change"
# The rotation's commit signed no checkpoint; the new key signed one at once.
"$CP" -d "${D[A]}" checkpoint | sed -n 2p | grep -qx 4 || die "no checkpoint at size 4"

say "awards before and after the rotation verify under the new vkey; audit clean"
AFTER=$(award "${D[A]}" 2026-01-06)
[ ${#AFTER} -eq 64 ] || die "award after the rotation failed"
proves "${D[A]}" "$BEFORE" "$NEWVKEY"
proves "${D[A]}" "$AFTER" "$NEWVKEY"
if "$CP" verify-proof "$T/p.json" --checkpoint "$T/cp.txt" --vkey "$OLDVKEY" >/dev/null 2>&1; then
  die "a checkpoint signed after the rotation verified under the old vkey"
fi
audit_clean A

say "the partner refuses the new key until it allows it, then takes the rotated log"
rc=0
"$CP" -d "${D[A]}" sync "127.0.0.1:${PORT[B]}" "${KEY[B]}" >/dev/null 2>"$T/err" || rc=$?
[ "$rc" != 0 ] && grep -q "not on the allowlist" "$T/err" || die "sync with a new key: $rc"
"$CP" -d "${D[B]}" peer add --accept "$NEW" >/dev/null
stop_node B
start_node B
"$CP" -d "${D[A]}" sync "127.0.0.1:${PORT[B]}" "${KEY[B]}" >/dev/null || die "sync after rotation"
[ "$(log_size B "$LOG")" = 5 ] || die "B holds $(log_size B "$LOG") of 5 entries"
"$CP" -d "${D[B]}" checkpoint --log "$LOG" >"$T/bcp.txt" || die "B has no checkpoint of A"
sed -n 2p "$T/bcp.txt" | grep -qx 5 || die "B's checkpoint of A is not at size 5"
"$CP" -d "${D[B]}" prove inclusion "$BEFORE" --json >"$T/bp.json"
"$CP" verify-proof "$T/bp.json" --checkpoint "$T/bcp.txt" --vkey "$NEWVKEY" >/dev/null ||
  die "B's proof of the pre-rotation award does not verify"
audit_clean B

say "a kill at each step of a rotation leaves a node that signs with its log's key"
for step in rotate-saved rotate-committed rotate-linked rotate-switched; do
  N=$T/kill-$step
  cp -a "$T/pre-rotation" "$N"
  rc=0
  CREDPORT_TEST_KILL_AT=$step "$CP" -d "$N" key rotate >/dev/null 2>&1 || rc=$?
  [ "$rc" = 137 ] || die "$step: key rotate exited $rc, not killed"
  if [ $step = rotate-committed ]; then
    # A backup now carries the key the ledger snapshot is signed with: the
    # new one, still in authority.key.next.
    "$CP" -d "$N" backup --out "$T/bk-$step" --with-keys >/dev/null || die "$step: backup"
    cmp -s "$T/bk-$step/authority.key" "$N/authority.key.next" ||
      die "$step: the backup holds another key than its ledger's"
    [ ! -e "$T/bk-$step/ledger/lock.mdb" ] || die "$step: the backup kept a lock file"
  fi
  ID=$(award "$N" 2026-01-07 2>"$T/kill.err") || true
  [ ${#ID} -eq 64 ] || die "$step: no award after the kill: $(cat "$T/kill.err")"
  "$CP" -d "$N" whoami --json >"$T/who.json" || die "$step: whoami refuses the key"
  if [ $step = rotate-saved ]; then
    [ "$(jget public_key <"$T/who.json")" = "$LOG" ] || die "$step: the key changed"
    [ -f "$N/authority.key.next" ] || die "$step: the new key file is missing"
    "$CP" -d "$N" key rotate >/dev/null 2>"$T/kill.err" || die "$step: a new rotation failed"
    grep -q "never committed" "$T/kill.err" || die "$step: no note of the stale key file"
  else
    [ "$(jget public_key <"$T/who.json")" != "$LOG" ] || die "$step: the old key is in force"
    cmp -s "$N/authority.key.retired-${LOG:0:16}" "$T/pre-rotation/authority.key" ||
      die "$step: the old key was not kept"
    [ $step = rotate-switched ] || grep -q "finished an interrupted key rotation" "$T/kill.err" ||
      die "$step: no note of the finished rotation"
  fi
  [ ! -e "$N/authority.key.next" ] || die "$step: authority.key.next left behind"
  "$CP" -d "$N" audit >/dev/null || die "$step: audit after the kill"
done

say "a key file that is not the log's key in force is refused, saying so"
N=$T/wrong-key
cp -a "${D[A]}" "$N"
rm "$N/authority.key"
cp -p "$RET" "$N/authority.key"
rc=0
"$CP" -d "$N" award --credential c1 --educator "$EDU" --earned 2026-01-08 2>"$T/err" >/dev/null ||
  rc=$?
[ "$rc" = 1 ] || die "award with the rotated-away key exited $rc"
grep -q "is not this log's key in force, $NEW" "$T/err" || die "message: $(cat "$T/err")"
rc=0
"$CP" -d "$N" whoami >/dev/null 2>"$T/err" || rc=$?
[ "$rc" = 1 ] && grep -q "not this log's key in force" "$T/err" || die "whoami: $(cat "$T/err")"
[ "$(own_size A)" = 5 ] || die "the refused award changed A"

say "key retire: award refused with the reason, the partner takes the retirement"
rc=0
"$CP" -d "${D[A]}" key retire >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || die "key retire without --reason exited $rc"
"$CP" -d "${D[A]}" key retire --reason "office closed" >/dev/null || die "key retire"
rc=0
"$CP" -d "${D[A]}" award --credential c1 --educator "$EDU" --earned 2026-01-09 \
  2>"$T/err" >/dev/null || rc=$?
[ "$rc" = 1 ] && grep -q "retired" "$T/err" || die "award after retire: $rc $(cat "$T/err")"
rc=0
"$CP" -d "${D[A]}" key rotate >/dev/null 2>"$T/err" || rc=$?
[ "$rc" = 1 ] && grep -q "retired" "$T/err" || die "rotate after retire: $rc $(cat "$T/err")"
[ ! -e "${D[A]}/authority.key.next" ] || die "a refused rotation left its key file"
"$CP" -d "${D[A]}" sync "127.0.0.1:${PORT[B]}" "${KEY[B]}" >/dev/null || die "sync after retire"
[ "$(log_size B "$LOG")" = 6 ] || die "B holds $(log_size B "$LOG") of 6 entries"
audit_clean A
audit_clean B
stop_node B
say "ok"
