#!/usr/bin/env bash
# Restore from an older backup: the node must not append to its own log
# (which would sign a second entry at a seq it already used, a fork) until
# a partner has given it back its own latest entries.
# Usage: bash fed_restore.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_restore.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"

node_init A US-NC
node_init B US-WY
issue A 3
"$CP" -d "${D[A]}" peer add --accept "${KEY[B]}" >/dev/null
"$CP" -d "${D[B]}" peer add --accept "${KEY[A]}" >/dev/null

say "back up A's ledger (A is not serving, so a copy of the folder is consistent)"
cp -a "${D[A]}/ledger" "$T/backup"
old=$(own_size A)
issue A 4
new=$(own_size A)
[ "$new" -gt "$old" ] || die "A did not grow ($old -> $new)"

say "B replicates A's whole log"
start_node B
"$CP" -d "${D[A]}" sync "127.0.0.1:${PORT[B]}" "${KEY[B]}" >/dev/null || die "A -> B sync"
[ "$(log_size B "${KEY[A]}")" -eq "$new" ] || die "B does not hold A's $new entries"

say "restore A's older ledger: appending is refused, naming the cause, and nothing changes"
rm -rf "${D[A]}/ledger/data.mdb" "${D[A]}/ledger/lock.mdb"
cp "$T/backup/data.mdb" "${D[A]}/ledger/data.mdb"
[ "$(own_size A)" -eq "$old" ] || die "the restore did not take A back to $old entries"
rc=0
out=$(printf 'credential,educator,earned,assessor,evidence_sha256\nc1,%064x,2026-01-01,X,\n' 7 >"$T/one.csv"
      "$CP" -d "${D[A]}" award --csv "$T/one.csv" 2>&1) || rc=$?
[ "$rc" -ne 0 ] || die "A appended to its own log after the restore"
grep -q 'restored from an older backup' <<<"$out" || die "the refusal does not name the cause: $out"
[ "$(own_size A)" -eq "$old" ] || die "the refused append changed A's log"

say "A syncs with B, gets its own entries back, and may append again"
"$CP" -d "${D[A]}" sync "127.0.0.1:${PORT[B]}" "${KEY[B]}" >/dev/null || die "B -> A sync"
[ "$(own_size A)" -eq "$new" ] || die "A did not get its own log back ($(own_size A) of $new)"
"$CP" -d "${D[A]}" award --csv "$T/one.csv" >/dev/null || die "A cannot append after catching up"
[ "$(own_size A)" -eq $((new + 1)) ] || die "A's log did not grow by one"
audit_clean A
stop_node B
say "ok"
