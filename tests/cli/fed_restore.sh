#!/usr/bin/env bash
# Restore from an older backup: the node must not append to its own log
# (which would sign a second entry at a seq it already used, a fork) until
# a partner has given it back its own latest entries. Three restores of one
# older state: the ledger file put back under a newer own-head record, a
# backup made with credport backup restored with credport restore, and a
# plain mdb_copy -c copy (which carries no own-head record). A node that
# never had partners goes on only when the operator says so.
# Usage: bash fed_restore.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_restore.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"

printf 'credential,educator,earned,assessor,evidence_sha256\nc1,%064x,2026-01-01,X,\n' 7 >"$T/one.csv"

# refused NAME WHAT: award on NAME fails, naming what to do, and changes nothing.
refused() {
  local n=$1 what=$2 before rc=0 out
  before=$(own_size "$n")
  out=$("$CP" -d "${D[$n]}" award --csv "$T/one.csv" --allow-duplicates 2>&1) || rc=$?
  [ "$rc" -ne 0 ] || die "$n appended to its own log after $what"
  grep -q 'sync with a partner first (credport sync ADDR:PORT' <<<"$out" ||
    die "the refusal after $what does not say what to do: $out"
  [ "$(own_size "$n")" -eq "$before" ] || die "the refused append changed $n's log"
  printf '%s\n' "$out"
}

node_init A US-NC
node_init B US-WY
issue A 3
"$CP" -d "${D[A]}" peer add --accept "${KEY[B]}" >/dev/null
"$CP" -d "${D[B]}" peer add --accept "${KEY[A]}" >/dev/null

say "back up A three ways at one size: a folder copy, credport backup, mdb_copy -c"
cp -a "${D[A]}/ledger" "$T/backup"
out=$("$CP" -d "${D[A]}" backup --out "$T/cpbackup" --with-keys) || die "credport backup: $out"
[ -f "$T/cpbackup/ledger/data.mdb" ] && [ -f "$T/cpbackup/authority.key" ] &&
  [ -f "$T/cpbackup/ledger/own-head" ] || die "the backup lacks a part: $(ls -R "$T/cpbackup")"
[ "$(stat -c %a "$T/cpbackup/authority.key")" = 600 ] || die "the backed-up key is not mode 600"
mkdir "$T/mdbcopy"
mdb_copy -c "${D[A]}/ledger" "$T/mdbcopy"
rc=0
"$CP" -d "${D[A]}" backup --out "$T/cpbackup" >/dev/null 2>&1 || rc=$?
[ "$rc" -ne 0 ] || die "backup wrote into a folder that is not empty"
old=$(own_size A)
issue A 4
new=$(own_size A)
[ "$new" -gt "$old" ] || die "A did not grow ($old -> $new)"

say "B replicates A's whole log"
start_node B
"$CP" -d "${D[A]}" sync "127.0.0.1:${PORT[B]}" "${KEY[B]}" >/dev/null || die "A -> B sync"
[ "$(log_size B "${KEY[A]}")" -eq "$new" ] || die "B does not hold A's $new entries"

say "a backup of B while it serves is whole: restored, it holds what B holds and audits clean"
"$CP" -d "${D[B]}" backup --out "$T/bbackup" --with-keys >/dev/null || die "backup of a serving node"
D[B2]=$T/B2
KEY[B2]=${KEY[B]}
"$CP" -d "${D[B2]}" restore --from "$T/bbackup" >/dev/null || die "restore of B's backup"
[ "$(heads B2)" = "$(heads B)" ] || die "B's backup differs from B: $(heads B2) / $(heads B)"
audit_clean B2

say "1. A's older ledger file under its newer own-head record: appending is refused"
rm -rf "${D[A]}/ledger/data.mdb" "${D[A]}/ledger/lock.mdb"
cp "$T/backup/data.mdb" "${D[A]}/ledger/data.mdb"
[ "$(own_size A)" -eq "$old" ] || die "the restore did not take A back to $old entries"
refused A "putting back an older ledger file" | grepq 'restored from an older backup' ||
  die "the refusal does not name the cause"

say "   A syncs with B, gets its own entries back, and may append again"
"$CP" -d "${D[A]}" sync "127.0.0.1:${PORT[B]}" "${KEY[B]}" >/dev/null || die "B -> A sync"
[ "$(own_size A)" -eq "$new" ] || die "A did not get its own log back ($(own_size A) of $new)"
"$CP" -d "${D[A]}" award --csv "$T/one.csv" --allow-duplicates >/dev/null || die "A cannot append after catching up"
new=$((new + 1))
[ "$(own_size A)" -eq "$new" ] || die "A's log did not grow by one"
audit_clean A
"$CP" -d "${D[A]}" sync "127.0.0.1:${PORT[B]}" "${KEY[B]}" >/dev/null || die "A -> B sync"
[ "$(log_size B "${KEY[A]}")" -eq "$new" ] || die "B does not hold A's $new entries"

say "2. credport restore of the older backup into a new folder: refused until a sync"
D[R]=$T/R
rc=0
"$CP" -d "${D[A]}" restore --from "$T/cpbackup" >/dev/null 2>&1 || rc=$?
[ "$rc" -ne 0 ] || die "restore wrote over a data folder that is in use"
out=$("$CP" -d "${D[R]}" restore --from "$T/cpbackup") || die "restore: $out"
grep -q 'credport sync' <<<"$out" || die "restore does not say to sync first: $out"
[ "$(own_size R)" -eq "$old" ] || die "the restored ledger does not hold $old entries"
"$CP" -d "${D[R]}" own-head --json | grepq '"may_append":false' || die "own-head allows appending"
refused R "credport restore" | grepq 'restored from a backup' || die "the refusal does not name the restore"
"$CP" -d "${D[R]}" peer list | grepq "${KEY[B]}" || die "the restore lost the peer table"
# The documented way: serve runs, and a one-shot sync beside it confirms.
KEY[R]=${KEY[A]}
start_node R
"$CP" -d "${D[R]}" sync "127.0.0.1:${PORT[B]}" "${KEY[B]}" >/dev/null || die "B -> R sync"
stop_node R
[ "$(own_size R)" -eq "$new" ] || die "R did not get its own log back ($(own_size R) of $new)"
"$CP" -d "${D[R]}" award --csv "$T/one.csv" --allow-duplicates >/dev/null || die "R cannot append after the sync"
new=$((new + 1))
[ "$(own_size R)" -eq "$new" ] || die "R's log did not grow by one"
audit_clean R
"$CP" -d "${D[R]}" sync "127.0.0.1:${PORT[B]}" "${KEY[B]}" >/dev/null || die "R -> B sync"
[ "$(log_size B "${KEY[A]}")" -eq "$new" ] || die "B does not hold A's $new entries"

say "   a backup whose record knows of more own entries than any partner returns stays refused"
cp -a "$T/cpbackup" "$T/cpbackup2"
printf 'sync %d\n' $((new + 5)) >"$T/cpbackup2/ledger/own-head"
D[R2]=$T/R2
"$CP" -d "${D[R2]}" restore --from "$T/cpbackup2" >/dev/null || die "restore of the second backup"
out=$("$CP" -d "${D[R2]}" sync "127.0.0.1:${PORT[B]}" "${KEY[B]}" 2>&1) || die "B -> R2 sync: $out"
grep -q "but at least $((new + 5)) were committed" <<<"$out" || die "the sync did not say R2 is still behind: $out"
refused R2 "a sync that did not return every own entry" >/dev/null

say "3. a plain mdb_copy -c copy with the key: no own-head record, so refused until a sync"
D[M]=$T/M
mkdir -m 700 "${D[M]}" "${D[M]}/ledger"
cp "$T/mdbcopy/data.mdb" "${D[M]}/ledger/data.mdb"
install -m 600 "${D[A]}/authority.key" "${D[M]}/authority.key"
[ "$(own_size M)" -eq "$old" ] || die "the copy does not hold $old entries"
refused M "an mdb_copy restore" | grepq 'own-head record .* is missing' ||
  die "the refusal does not name the missing record"
"$CP" -d "${D[M]}" sync "127.0.0.1:${PORT[B]}" "${KEY[B]}" >/dev/null || die "B -> M sync"
[ "$(own_size M)" -eq "$new" ] || die "M did not get its own log back ($(own_size M) of $new)"
"$CP" -d "${D[M]}" award --csv "$T/one.csv" --allow-duplicates >/dev/null || die "M cannot append after the sync"
[ "$(own_size M)" -eq $((new + 1)) ] || die "M's log did not grow by one"
audit_clean M
stop_node B

say "4. a node that never had partners: refused after a restore until the operator says so"
node_init C US-ID
issue C 2
"$CP" -d "${D[C]}" backup --out "$T/cbackup" --with-keys >/dev/null || die "backup of C"
D[C2]=$T/C2
"$CP" -d "${D[C2]}" restore --from "$T/cbackup" >/dev/null || die "restore of C"
refused C2 "a restore of a node without partners" >/dev/null
out=$("$CP" -d "${D[C2]}" own-head --no-partners) || die "own-head --no-partners: $out"
"$CP" -d "${D[C2]}" award --csv "$T/one.csv" --allow-duplicates >/dev/null || die "C2 cannot append after the override"
audit_clean C2
D[C3]=$T/C3
"$CP" -d "${D[C3]}" restore --from "$T/cbackup" --no-partners >/dev/null || die "restore --no-partners"
"$CP" -d "${D[C3]}" award --csv "$T/one.csv" --allow-duplicates >/dev/null || die "C3 cannot append after restore --no-partners"
say "ok"
