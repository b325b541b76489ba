#!/usr/bin/env bash
# Safe issuance: duplicates refused (in the log, in one file), earned dates
# after today refused, --dry-run writes nothing, CSV as spreadsheets write it
# (BOM, CRLF, blank lines, physical line numbers, columns by name or by
# --columns), plurals, and `revoke --csv` in one transaction.
# Usage: bash cli_issuance.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: cli_issuance.sh PATH-TO-CREDPORT}
SAME_SIZE_WHY="a refused or dry-run command wrote something"
# shellcheck source=cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"

H=credential,educator,earned,assessor,evidence_sha256
E1=$(printf '1%.0s' {1..64})
E2=$(printf '2%.0s' {1..64})
E3=$(printf '3%.0s' {1..64})
# awards FILE: one line per award entry of a `log --json` output; id_of: its ID.
awards() { sed 's/{"id"/\n{"id"/g' "$1" | grep '"type":"award"'; }
id_of() { sed -n 's/^{"id":"\([0-9a-f]*\)".*/\1/p'; }
store_sum() { sha256sum "$D/ledger/data.mdb" | cut -d' ' -f1; }

run 0 -d "$D" init --name "Issue Test" --jurisdiction US-WI --role district
run 0 -d "$D" credential define --id c1 --title One --competency one --level 1 --hours 1

say "importing the same file twice: the second is refused, naming the entry already there"
printf '%s\nc1,%s,2026-01-01,A,\nc1,%s,2026-01-02,B,\n' "$H" "$E1" "$E2" >"$T/a.csv"
run 0 -d "$D" award --csv "$T/a.csv"
has "awarded 2 credentials from" "$T/out"
S=$(size)
run 0 -d "$D" log --from 2 --json
FIRST=$(awards "$T/out" | head -n 1 | id_of)
run 1 -d "$D" award --csv "$T/a.csv"
has "line 2: the same credential was already awarded to this educator, earned the same day: entry $FIRST (seq 2)" "$T/err"
has "allow-duplicates" "$T/err"
same_size "$S"

say "a row repeated later in the file is refused, naming both physical lines"
printf '%s\n\nc1,%s,2026-02-01,x,\n\nc1,%s,2026-02-02,x,\nc1,%s,2026-02-01,again,\n' "$H" "$E1" "$E1" "$E1" >"$T/rep.csv"
run 1 -d "$D" award --csv "$T/rep.csv"
has "line 6: repeats line 3 (the same credential, educator and earned date)" "$T/err"
same_size "$S"
say "--allow-duplicates imports them"
run 0 -d "$D" award --csv "$T/rep.csv" --allow-duplicates
has "awarded 3 credentials" "$T/out"
S=$((S + 3))
same_size "$S"

say "a single award repeating one is refused; a revoked one may be given again"
run 1 -d "$D" award --credential c1 --educator "$E2" --earned 2026-01-02
has "award refused, nothing written: the same credential was already awarded" "$T/err"
same_size "$S"
run 0 -d "$D" log --from 3 --json
SECOND=$(awards "$T/out" | grep '"earned":"2026-01-02"' | head -n 1 | id_of)
[ -n "$SECOND" ] || die "no award earned 2026-01-02"
run 0 -d "$D" revoke "$SECOND" --reason "issued in error"
run 0 -d "$D" award --credential c1 --educator "$E2" --earned 2026-01-02
S=$((S + 2))
same_size "$S"

say "earned dates after today are refused; a date before the definition is allowed"
for d in 2031-01-01 9999-12-31; do
  run 1 -d "$D" award --credential c1 --educator "$E3" --earned "$d"
  has "award.earned $d is after today" "$T/err"
done
printf '%s\nc1,%s,2026-03-01,x,\n\nc1,%s,2031-01-01,x,\n' "$H" "$E3" "$E3" >"$T/future.csv"
run 1 -d "$D" award --csv "$T/future.csv"
has "line 4, column earned: award.earned 2031-01-01 is after today" "$T/err"
same_size "$S"

say "--dry-run: every entry signed, checked and shown; the store is byte-identical"
printf '%s\nc1,%s,2019-05-01,old,\nc1,%s,2026-03-02,new,\n' "$H" "$E3" "$E3" >"$T/back.csv"
SUM=$(store_sum)
run 0 -d "$D" award --csv "$T/back.csv" --dry-run
has "line 2: " "$T/out"
has "earned 2019-05-01" "$T/out"
has "note: earned 2019-05-01, before credential c1 was defined" "$T/out"
has "dry run: 2 awards would be signed; nothing was written" "$T/out"
run 0 -d "$D" award --csv "$T/back.csv" --dry-run --json
has '"dry_run":true,"count":2' "$T/out"
has '"line":2,"note":"earned 2019-05-01, before credential c1 was defined' "$T/out"
run 1 -d "$D" award --csv "$T/a.csv" --dry-run
has "already awarded" "$T/err"
run 0 -d "$D" award --credential c1 --educator "$E3" --earned 2026-03-03 --dry-run
has "dry run: 1 award would be signed" "$T/out"
run 0 -d "$D" award --credential c1 --educator "$E3" --earned 2026-03-03 --dry-run --json
has '"type":"award"' "$T/out"
run 0 -d "$D" award --credential c1 --educator "$E3" --earned 2018-02-03 --dry-run
has "note: earned 2018-02-03, before credential c1 was defined" "$T/out"
run 0 -d "$D" credential define --id c2 --title Two --competency two --level 2 --hours 2 --dry-run
has "would be signed" "$T/out"
run 0 -d "$D" endorse --authority "$E1" --claim qa:x --dry-run
run 0 -d "$D" approve --educator "$E1" --credential "$FIRST" --approved 2026-01-01 --plan-sha256 "$E2" --dry-run
run 0 -d "$D" revoke "$FIRST" --reason test --dry-run
has "revoke" "$T/out"
printf 'entry,reason\n%s,test\n' "$FIRST" >"$T/rv1.csv"
run 0 -d "$D" revoke --csv "$T/rv1.csv" --dry-run
has "dry run: 1 revocation would be signed" "$T/out"
run 0 -d "$D" policy publish "$(dirname "$0")/../../examples/policies/nc-renewal.json" --dry-run --json
has '"dry_run":true,"count":1' "$T/out"
has '"type":"policy"' "$T/out"
ls "$D" >"$T/files.before"
run 0 -d "$D" key rotate --dry-run --out "$T/never.key"
has "dry run: 1 key entry would be signed" "$T/out"
[ ! -e "$T/never.key" ] || die "key rotate --dry-run wrote a key file"
run 0 -d "$D" key retire --reason "test" --dry-run
has "dry run: 1 key entry would be signed" "$T/out"
ls "$D" >"$T/files.after"
cmp -s "$T/files.before" "$T/files.after" || die "a dry run changed the data folder's files"
same_size "$S"
[ "$(store_sum)" = "$SUM" ] || die "a dry run changed the store"
run 1 -d "$D" show "$(printf '0%.0s' {1..64})"

say "a spreadsheet's CSV: BOM, CRLF, blank lines, quotes; errors name the physical line"
printf '\357\273\277%s\r\n\r\n"c1",%s,2026-04-01,"Smith, J.",\r\n,,,,\r\n\r\nc1,%s,2026-04-31,x,\r\n' "$H" "$E1" "$E2" >"$T/excel.csv"
run 1 -d "$D" award --csv "$T/excel.csv"
has "line 6, column earned" "$T/err"
same_size "$S"
printf '\357\273\277%s\r\n\r\n"c1",%s,2026-04-01,"Smith, J.",\r\n,,,,\r\n\r\nc1,%s,2026-04-30,x,\r\n' "$H" "$E1" "$E2" >"$T/excel.csv"
run 0 -d "$D" award --csv "$T/excel.csv"
has "awarded 2 credentials" "$T/out"
S=$((S + 2))
printf '\357\273\277credential,educator,earnd\nc1,%s,2026-04-02\n' "$E1" >"$T/bomhdr.csv"
run 1 -d "$D" award --csv "$T/bomhdr.csv"
has 'line 1: the header.s column 3, "earnd", is not one' "$T/err"
if LC_ALL=C grep -q $'\xef\xbb\xbf' "$T/err"; then die "the BOM reached the message"; fi
printf '%s,notes\nc1,%s,2026-04-03,x,,hi\n' "$H" "$E1" >"$T/extra.csv"
run 1 -d "$D" award --csv "$T/extra.csv"
has '"notes", is not one this file may have' "$T/err"
same_size "$S"

say "--columns reads a district's own header names"
printf 'MC_ID,PUBKEY,DATE\nc1,%s,2026-04-04\n' "$E1" >"$T/mapped.csv"
run 1 -d "$D" award --csv "$T/mapped.csv"
has '"MC_ID", is not one' "$T/err"
run 0 -d "$D" award --csv "$T/mapped.csv" --columns credential=MC_ID,educator=PUBKEY,earned=DATE
has "awarded 1 credential from" "$T/out"
S=$((S + 1))
run 2 -d "$D" award --csv "$T/mapped.csv" --columns credntial=MC_ID
has '"credntial" is not a column of this file' "$T/err"
printf 'MC_ID,PUBKEY,DATE\nc1,%s,2026-13-01\n' "$E1" >"$T/mapbad.csv"
run 1 -d "$D" award --csv "$T/mapbad.csv" --columns credential=MC_ID,educator=PUBKEY,earned=DATE
has 'line 2, column earned ("DATE" in the file)' "$T/err"
same_size "$S"

say "--new-educators warn|refuse"
E9=$(printf '9%.0s' {1..64})
printf '%s\nc1,%s,2026-05-01,x,\nc1,%s,2026-05-01,x,\n' "$H" "$E1" "$E9" >"$T/new.csv"
run 1 -d "$D" award --csv "$T/new.csv" --new-educators refuse
has "line 3, column educator: educator $E9 has never been seen on this node" "$T/err"
same_size "$S"
run 0 -d "$D" award --csv "$T/new.csv" --new-educators warn --dry-run
has "warning: line 3: educator $E9 has never been seen" "$T/err"
lacks "line 2" "$T/err"
run 2 -d "$D" award --csv "$T/new.csv" --new-educators maybe

say "educator keys: the checked form keygen prints is accepted; one mistyped digit is refused"
run 0 educator keygen --out "$T/edu.key" --json
CHK=$(jstr checked "$T/out")
PUB=$(jstr public_key "$T/out")
[ "$CHK" = "ek1-$PUB-${CHK: -8}" ] || die "checked form \"$CHK\" is not ek1-KEY-CRC"
run 0 educator keygen --out "$T/edu2.key"
has "checked form" "$T/err"
# flip: the digit at offset $2 of $1 replaced by another hex digit.
flip() { local d=${1:$2:1} r=0; [ "$d" = 0 ] && r=1; printf '%s%s%s' "${1:0:$2}" "$r" "${1:$(($2 + 1))}"; }
for at in 4 20 67 69 76; do
  run 2 -d "$D" award --credential c1 --educator "$(flip "$CHK" "$at")" --earned 2026-05-02
  has "is not an educator key" "$T/err"
done
run 0 -d "$D" award --credential c1 --educator "$CHK" --earned 2026-05-02
S=$((S + 1))
run 0 -d "$D" log --from $((S - 1)) --json
has "\"educator\":\"$PUB\"" "$T/out"
printf '%s\nc1,%s,2026-05-03,x,\n' "$H" "$(flip "$CHK" 30)" >"$T/typo.csv"
run 1 -d "$D" award --csv "$T/typo.csv"
has "line 2, column educator" "$T/err"
same_size "$S"

say "revoke --csv: one transaction, the same line-level errors"
run 0 -d "$D" log --json
mapfile -t IDS < <(awards "$T/out" | grep -v '"earned":"2026-01-02"' | id_of)
[ "${#IDS[@]}" -ge 4 ] || die "expected awards in the log"
printf 'reason,entry\r\n"dup, test",%s\r\n\r\nmistake,%s\r\n' "${IDS[0]}" "${IDS[1]}" >"$T/rv.csv"
printf 'entry,reason\n%s,a\n\n%s,unknown\n' "${IDS[2]}" "$(printf 'f%.0s' {1..64})" >"$T/rvbad.csv"
run 1 -d "$D" revoke --csv "$T/rvbad.csv"
has "line 4, column entry" "$T/err"
same_size "$S"
printf 'entry,reason\n%s,a\n%s,b\n' "${IDS[2]}" "${IDS[2]}" >"$T/rvtwice.csv"
run 1 -d "$D" revoke --csv "$T/rvtwice.csv"
has "line 3, column entry" "$T/err"
has "already revoked" "$T/err"
same_size "$S"
run 0 -d "$D" revoke --csv "$T/rv.csv"
has "revoked 2 entries from" "$T/out"
S=$((S + 2))
same_size "$S"
run 0 -d "$D" show "${IDS[0]}" --json
run 1 -d "$D" revoke --csv "$T/rv.csv"
has "line 2, column entry" "$T/err"
same_size "$S"

run 0 -d "$D" audit
echo "cli_issuance: all checks passed"
