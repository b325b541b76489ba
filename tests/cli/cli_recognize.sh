#!/usr/bin/env bash
# End-to-end checks of recognition on the ledger: policy publish / list /
# show, recognize for one educator (totals, --explain, --json), --record and
# the audit's recomputation, the district view with --compare, determinism.
# Reproduces DOMAIN.md's Baltimore County figure: 31 district-approved MCs
# -> 15 CPD credits -> 15 toward the master's-degree equivalency.
# Usage: bash cli_recognize.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: cli_recognize.sh PATH-TO-CREDPORT}
# shellcheck source=cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
EX=$HERE/../../examples/policies
export CREDPORT_DATA=$T/nowhere # every command below names its folder
export CREDPORT_NOW=1735689600  # 2025-01-01T00:00:00Z: entry times are reproducible

say "--help on the new commands"
for c in policy recognize; do
  run 0 "$c" --help
  has "usage: credport $c" "$T/out"
done
run 2 policy
run 2 policy frobnicate
run 2 recognize --educator 00
has "policy" "$T/err"

run 0 -d "$D" init --name "Baltimore County Public Schools" --jurisdiction US-MD --role district
SELF=$("$CP" -d "$D" whoami --json | sed -n 's/.*"public_key":"\([0-9a-f]*\)".*/\1/p')
[ ${#SELF} = 64 ] || die "no public key from whoami"

say "an invalid policy is refused with file, line, column and reason; nothing is written"
N0=$(size)
cat >"$T/bad.json" <<'EOF'
{
  "format": "credport-policy/1",
  "id": "broken",
  "currencies": [{"id": "cpd", "unit": "credit"}],
  "rules": [{"id": "r", "kind": "lottery", "currency": "cpd"}]
}
EOF
run 1 -d "$D" policy publish "$T/bad.json"
has "bad.json: line 5, column" "$T/err"
has "lottery" "$T/err"
same_size "$N0"
printf '{"format": "credport-policy/1",\n  "id": "x",,}\n' >"$T/syntax.json"
run 1 -d "$D" policy publish "$T/syntax.json"
has "syntax.json: line 2, column" "$T/err"
same_size "$N0"
run 1 -d "$D" policy publish "$T/missing.json"
has "missing.json" "$T/err"

say "publish the Baltimore County and Kettle Moraine policies under this node's key"
sed "s/1111111111111111111111111111111111111111111111111111111111111111/$SELF/" \
  "$EX/bcps-cpd.json" >"$T/bcps.json"
sed "s/4444444444444444444444444444444444444444444444444444444444444444/$SELF/" \
  "$EX/kettle-moraine.json" >"$T/kmsd.json"
run 0 -d "$D" policy publish "$T/bcps.json"
BCPS=$(cat "$T/out")
[ ${#BCPS} = 64 ] || die "publish printed \"$BCPS\", not an entry ID"
run 0 -d "$D" policy publish "$T/kmsd.json" --json
has '"policy":"kmsd-base-salary"' "$T/out"
KMSD=$(sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p' "$T/out")
same_size $((N0 + 2))

say "policy list and show"
run 0 -d "$D" policy list
has "$BCPS" "$T/out"
has "bcps-cpd-masters-equivalency" "$T/out"
has "kmsd-base-salary" "$T/out"
run 0 -d "$D" policy list --json
has "\"id\":\"$BCPS\"" "$T/out"
has "\"log\":\"$SELF\"" "$T/out"
run 0 -d "$D" policy show "$BCPS"
cmp -s "$T/out" "$T/bcps.json" || die "policy show does not print the published document"
run 0 -d "$D" policy show bcps-cpd-masters-equivalency
cmp -s "$T/out" "$T/bcps.json" || die "policy show by policy id differs"
run 0 -d "$D" policy show kmsd-base-salary --json
has '"document":"{' "$T/out"
run 1 -d "$D" policy show no-such-policy
has "no-such-policy" "$T/err"

say "a new version under the same policy id: the id names the latest, the old entry stays"
sed 's/"title": "Kettle Moraine/"title": "Version 2 of Kettle Moraine/' "$T/kmsd.json" >"$T/kmsd2.json"
! cmp -s "$T/kmsd.json" "$T/kmsd2.json" || die "the second version is not different"
run 0 -d "$D" policy publish "$T/kmsd2.json"
KMSD2=$(cat "$T/out")
run 0 -d "$D" policy show kmsd-base-salary
cmp -s "$T/out" "$T/kmsd2.json" || die "the policy id does not name the latest version"
run 0 -d "$D" policy show "$KMSD"
cmp -s "$T/out" "$T/kmsd.json" || die "the first version is no longer shown by its entry ID"
[ "$("$CP" -d "$D" policy list | grep -c kmsd-base-salary)" = 2 ] || die "policy list lacks a version"
KMSD=$KMSD2

say "31 district-approved MCs awarded to one educator (two also pre-approved)"
run 0 educator keygen --out "$T/ana.key"
ANA=$(cat "$T/out")
printf 'credential,educator,earned,assessor,evidence_sha256\n' >"$T/awards.csv"
for i in $(seq -w 1 31); do
  run 0 -d "$D" credential define --id "bcps-mc-$i" --title "MC $i" --competency "Competency $i" \
    --level 2 --hours 15
  CRED=$(cat "$T/out")
  run 0 -d "$D" endorse --credential "$CRED" --claim district-approved
  if [ "$i" = 01 ] || [ "$i" = 02 ]; then
    run 0 -d "$D" approve --educator "$ANA" --credential "$CRED" --approved 2024-01-02 \
      --plan-sha256 "$(printf '%064d' "$i")"
  fi
  printf 'bcps-mc-%s,%s,2024-%02d-%02d,Assessor,\n' "$i" "$ANA" $((1 + 10#$i % 12)) $((1 + 10#$i % 28)) \
    >>"$T/awards.csv"
done
run 0 -d "$D" award --csv "$T/awards.csv"
has "awarded 31" "$T/out"

say "recognize: 31 approved MCs -> 15 CPD credits -> 15 toward the equivalency"
run 0 -d "$D" recognize --educator "$ANA" --policy "$BCPS" --as-of 2025-06-30 --json
has '"format":"credport-recognition/1"' "$T/out"
has '{"currency":"cpd","unit":"MSDE CPD credit","decimals":2,"amount":1500}' "$T/out"
has '"currency":"masters-equivalency","unit":"post-baccalaureate credit","decimals":2,"amount":1500,"target":3600,"reached":false' "$T/out"
cp "$T/out" "$T/r1.json"
run 0 -d "$D" recognize --educator "$ANA" --policy bcps-cpd-masters-equivalency --as-of 2025-06-30
grep -q "^  cpd  *15 MSDE CPD credits$" "$T/out" || die "the cpd total is not 15 MSDE CPD credits"
grep -q "^  masters-equivalency  *15 post-baccalaureate credits (target 36 post-baccalaureate credits: not reached)$" "$T/out" || die "the equivalency total or target is wrong"
lacks "group_incomplete" "$T/out"

say "--explain lists each award's fate"
run 0 -d "$D" recognize --educator "$ANA" --policy "$BCPS" --as-of 2025-06-30 --explain
has "31 awards, in (earned, award ID) order" "$T/out"
[ "$(grep -c 'cpd-credit  *counted  *1 MSDE CPD credit$' "$T/out")" = 15 ] || die "15 awards should complete a group"
[ "$(grep -c 'cpd-credit  *group_incomplete' "$T/out")" = 1 ] || die "one award is left over"
has "bcps-mc-31" "$T/out"
has "cpd-toward-equivalency" "$T/out"
grep -q "cpd-toward-equivalency  *convert  *-> masters-equivalency  *15 post-baccalaureate credits (from 15 MSDE CPD credits)$" "$T/out" || { cat "$T/out"; die "the conversion line is missing"; }

say "as of a day before any award, nothing counts yet"
run 0 -d "$D" recognize --educator "$ANA" --policy "$BCPS" --as-of 2023-12-31 --json
has '"currency":"cpd","unit":"MSDE CPD credit","decimals":2,"amount":0}' "$T/out"
has '"fate":"after_as_of"' "$T/out"

say "determinism: two runs are byte-identical, also after unrelated entries"
run 0 -d "$D" recognize --educator "$ANA" --policy "$BCPS" --as-of 2025-06-30 --json
cmp -s "$T/out" "$T/r1.json" || die "two runs differ"
run 0 -d "$D" credential define --id unrelated --title U --competency U --level 1 --hours 1
run 0 -d "$D" recognize --educator "$ANA" --policy "$BCPS" --as-of 2025-06-30 --json
cmp -s "$T/out" "$T/r1.json" || die "an unrelated entry changed the result"

say "--record appends a recognition entry; audit recomputes it clean"
N1=$(size)
run 0 -d "$D" recognize --educator "$ANA" --policy "$BCPS" --as-of 2025-06-30 --record --json
has '"recorded":{"id":"' "$T/out"
has '"amount":1500' "$T/out"
REC=$(sed -n 's/.*"recorded":{"id":"\([0-9a-f]*\)".*/\1/p' "$T/out")
same_size $((N1 + 1))
run 0 -d "$D" show "$REC"
has "recognition" "$T/out"
run 0 -d "$D" recognize --educator "$ANA" --policy kmsd-base-salary --as-of 2025-06-30 --record
has "recorded    entry" "$T/out"
grep -q "^  usd  *\$600.00 per year$" "$T/out" || die "no \$600.00 per year" # two pre-approved level-2 MCs at 300 dollars each
lacks "usd 60000" "$T/out"
run 0 -d "$D" audit
has "CLEAN" "$T/out"
has "audit: 2 recognitions recomputed: 2 match, 0 differ, 0 cannot be recomputed yet" "$T/out"
run 0 -d "$D" audit --json
has '"recognitions":{"recomputed":2,"match":2,"differ":0,"pending":0,"failed":0,"entries":\[{' "$T/out"
has "\"id\":\"$REC\",\"log\":\"$SELF\"" "$T/out"
has '"version":2,"status":"match"' "$T/out"

say "the explanation hash is SHA-256 of the result JSON as --json prints it, without its final newline"
run 0 -d "$D" recognize --educator "$ANA" --policy "$BCPS" --as-of 2025-06-30 --json
H=$(head -c -1 "$T/out" | sha256sum | cut -d' ' -f1)
run 0 -d "$D" show "$REC" --json
has "\"explanation_sha256\":\"$H\"" "$T/out"
has "\"facts\":\[{\"log\":\"$SELF\",\"size\":$N1," "$T/out"

say "--replay recomputes the recorded grant at the sizes it read"
run 0 -d "$D" recognize --replay "$REC"
has "replay: MATCH" "$T/out"
has "facts read  log $SELF up to size $N1 (root" "$T/out"
has "recorded    cpd 15 MSDE CPD credits" "$T/out"
lacks "31 awards" "$T/out"
run 0 -d "$D" recognize --replay "$REC" --explain
has "31 awards" "$T/out"
run 0 -d "$D" recognize --replay "$REC" --json
has "\"recognition\":\"$REC\"" "$T/out"
has '"status":"match"' "$T/out"
has "\"facts\":\[{\"log\":\"$SELF\",\"size\":$N1," "$T/out"
has '"result":{"format":"credport-recognition/1"' "$T/out"
run 1 -d "$D" recognize --replay "$BCPS"
has "not a recognition entry" "$T/err"
run 1 -d "$D" recognize --replay "$(printf '%064d' 7)"
has "no entry with that ID" "$T/err"
run 2 -d "$D" recognize --replay nothex
run 2 -d "$D" recognize --replay "$REC" --policy "$BCPS"

say "the ledger grows after recording (a revocation, more awards): audit stays clean"
AW=$("$CP" -d "$D" log --json | tr '{' '\n' | sed -n 's/.*"id":"\([0-9a-f]*\)","type":"award".*/\1/p' | head -n 1)
[ ${#AW} = 64 ] || AW=$("$CP" -d "$D" log | awk '$3 == "award" {print $2; exit}')
[ ${#AW} = 64 ] || die "no award ID found in the log"
export CREDPORT_NOW=1741046400 # 2025-03-04, after the awards below are earned
run 0 -d "$D" revoke "$AW" --reason "evidence was not the educator's"
run 0 -d "$D" recognize --educator "$ANA" --policy "$BCPS" --as-of 2026-06-30 --json
has '"currency":"cpd","unit":"MSDE CPD credit","decimals":2,"amount":1500}' "$T/out"
has '"fate":"revoked"' "$T/out"
run 0 -d "$D" audit
has "CLEAN" "$T/out"
run 0 -d "$D" recognize --replay "$REC"
has "replay: MATCH" "$T/out"

say "refusals: --record with --areas, a policy that does not exist, a bad date"
N2=$(size)
run 2 -d "$D" recognize --educator "$ANA" --policy "$BCPS" --record --areas math
has "areas" "$T/err"
run 1 -d "$D" recognize --educator "$ANA" --policy nope
has "nope" "$T/err"
run 2 -d "$D" recognize --educator "$ANA" --policy "$BCPS" --as-of 2025-02-30
has "as-of" "$T/err"
run 2 -d "$D" recognize --educator "$ANA" --policy "$BCPS" --compare "$KMSD"
run 2 -d "$D" recognize --all --educator "$ANA" --policy "$BCPS"
same_size "$N2"

say "district view: every educator, costs in a year, --compare side by side"
run 0 educator keygen --out "$T/ben.key"
BEN=$(cat "$T/out")
run 0 -d "$D" award --credential bcps-mc-01 --educator "$BEN" --earned 2025-03-01
run 0 -d "$D" award --credential bcps-mc-02 --educator "$BEN" --earned 2025-03-02
run 0 -d "$D" recognize --policy "$BCPS" --all --as-of 2025-06-30 --json
has '"format":"credport-district/1"' "$T/out"
has '"educators":2' "$T/out"
has '"policy":"bcps-cpd-masters-equivalency","educators_benefiting":2' "$T/out"
has '"currency":"cpd","decimals":2,"money":false,"total":1600,"educators":2' "$T/out"
cp "$T/out" "$T/d1.json"
run 0 -d "$D" recognize --policy "$BCPS" --all --year 2025 --compare "$KMSD" --as-of 2025-06-30 --json
has '"year":2025' "$T/out"
has '"policy":"kmsd-base-salary","educators_benefiting":1' "$T/out"
# One of the two pre-approved MCs was revoked above: 300 dollars a year remain.
has '"currency":"usd","decimals":2,"money":true,"total":30000,"educators":1,"cost_in_year":30000' "$T/out"
cp "$T/out" "$T/d2.json"
run 0 -d "$D" recognize --policy bcps-cpd-masters-equivalency --all --year 2025 \
  --compare kmsd-base-salary --as-of 2025-06-30
has "district view as of 2025-06-30: 2 educators considered (every educator this node knows)" "$T/out"
has "policy bcps-cpd-masters-equivalency: 2 of 2 educators benefit$" "$T/out"
has "policy kmsd-base-salary: 1 of 2 educators benefits$" "$T/out"
grep -q "^  usd  *\$300.00 per year  *1  *\$300.00$" "$T/out" || die "the usd row is not \$300.00 per year, 1 educator, \$300.00"
run 0 -d "$D" recognize --policy "$BCPS" --all --year 2025 --compare "$KMSD" --as-of 2025-06-30 --json
cmp -s "$T/out" "$T/d2.json" || die "two district views differ"

say "--years: each alternative's cost in every fiscal year of the range"
# ANA's pre-approved level-2 MC left (300 dollars a year) was earned 2024-03-03,
# fiscal year 2023: it recurs in 2025, 2026 and 2027. BCPS's currencies are not money.
run 0 -d "$D" recognize --policy "$BCPS" --all --years 2025-2027 --compare "$KMSD" --as-of 2025-06-30 --json
has '"year":2025,"years":\[2025,2026,2027\],"educators":2,' "$T/out"
has '"currency":"usd","decimals":2,"money":true,"total":30000,"educators":1,"cost_in_year":30000,"costs":\[30000,30000,30000\]' "$T/out"
lacks '"money":false,"total":1600,"educators":2,"cost' "$T/out"
run 0 -d "$D" recognize --policy "$BCPS" --all --years 2025-2027 --compare "$KMSD" --as-of 2025-06-30
has "costs in the fiscal years starting in 2025 to 2027" "$T/out"
has "cost of usd by fiscal year:" "$T/out"
grep -q "^    2026-27 *\$300.00$" "$T/out" || { cat "$T/out"; die "no line for fiscal year 2026-27"; }
run 2 -d "$D" recognize --policy "$BCPS" --all --years 2027-2025
has "years" "$T/err"
run 2 -d "$D" recognize --policy "$BCPS" --all --years 2000-2050
has "more than 50" "$T/err"
run 2 -d "$D" recognize --policy "$BCPS" --all --years 2025-2027 --year 2025
run 2 -d "$D" recognize --policy "$BCPS" --educator "$ANA" --years 2025-2027

say "--educators restricts the view to a staff list; bad lines are named"
printf '# staff 2025\n\n%s\n' "$BEN" >"$T/staff.txt"
run 0 -d "$D" recognize --policy "$BCPS" --all --as-of 2025-06-30 --educators "$T/staff.txt" --json
has '"educators":1,' "$T/out"
has '"policy":"bcps-cpd-masters-equivalency","educators_benefiting":1' "$T/out"
has '"currency":"cpd","decimals":2,"money":false,"total":100,"educators":1' "$T/out"
run 0 -d "$D" recognize --policy "$BCPS" --all --as-of 2025-06-30 --educators "$T/staff.txt"
has "1 educator considered (the staff list)" "$T/out"
has "policy bcps-cpd-masters-equivalency: 1 of 1 educator benefits$" "$T/out"
# Someone on the list the node does not know is considered, and benefits from nothing.
run 0 educator keygen --out "$T/cy.key"
printf '%s\n%s\n' "$BEN" "$(cat "$T/out")" >"$T/staff2.txt"
run 0 -d "$D" recognize --policy "$BCPS" --all --as-of 2025-06-30 --educators "$T/staff2.txt"
has "policy bcps-cpd-masters-equivalency: 1 of 2 educators benefits$" "$T/out"
printf '%s\nnot-a-key\n' "$BEN" >"$T/bad.txt"
run 2 -d "$D" recognize --policy "$BCPS" --all --educators "$T/bad.txt"
has "bad.txt: line 2: \"not-a-key\" is not an educator's public key" "$T/err"
printf '%s\n\n%s\n' "$BEN" "$BEN" >"$T/dup.txt"
run 2 -d "$D" recognize --policy "$BCPS" --all --educators "$T/dup.txt"
has "dup.txt: line 3: the same educator as line 1" "$T/err"
run 1 -d "$D" recognize --policy "$BCPS" --all --educators "$T/none.txt"
has "none.txt: cannot open" "$T/err"
run 2 -d "$D" recognize --policy "$BCPS" --educator "$ANA" --educators "$T/staff.txt"

say "POLICY_ID@AUTHORITY names a policy by its publisher's key (hex or did:key)"
run 0 -d "$D" recognize --educator "$ANA" --policy "$BCPS" --as-of 2025-06-30 --json
cp "$T/out" "$T/r2.json"
run 0 -d "$D" recognize --educator "$ANA" --policy "bcps-cpd-masters-equivalency@$SELF" \
  --as-of 2025-06-30 --json
cmp -s "$T/out" "$T/r2.json" || die "ID@AUTHORITY gives another result"
DID=$("$CP" -d "$D" whoami --json | sed -n 's/.*"did":"\([^"]*\)".*/\1/p')
[ -n "$DID" ] || die "no did:key from whoami"
run 0 -d "$D" recognize --educator "$ANA" --policy "bcps-cpd-masters-equivalency@$DID" \
  --as-of 2025-06-30 --json
cmp -s "$T/out" "$T/r2.json" || die "ID@did:key gives another result"
run 1 -d "$D" recognize --educator "$ANA" --policy "bcps-cpd-masters-equivalency@$(printf '%064d' 5)"
has "holds no log of that authority" "$T/err"
run 1 -d "$D" recognize --educator "$ANA" --policy "no-such@$SELF"
has "has no policy \"no-such\"" "$T/err"
run 1 -d "$D" recognize --educator "$ANA" --policy "x@nokey"
has "is not an authority key" "$T/err"

say "@self in a published policy names this node's key; a missing member has a line and column"
N3=$(size)
cat >"$T/self.json" <<'EOF2'
{"format": "credport-policy/1", "id": "self-test",
 "currencies": [{"id": "mc", "unit": "MC"}],
 "rules": [{"id": "mine", "kind": "per_award", "currency": "mc", "amount": 1,
            "filter": {"issuers": ["@self"]}}]}
EOF2
run 0 -d "$D" policy publish "$T/self.json"
run 0 -d "$D" recognize --educator "$BEN" --policy self-test --as-of 2025-06-30 --json
has '"totals":\[{"currency":"mc","unit":"MC","decimals":0,"amount":2}\]' "$T/out"
cat >"$T/nocur.json" <<'EOF2'
{"format": "credport-policy/1", "id": "no-currency",
 "currencies": [{"id": "mc", "unit": "MC"}],
 "rules": [
   {"id": "r", "kind": "per_award", "amount": 1}]}
EOF2
run 1 -d "$D" policy publish "$T/nocur.json"
has "nocur.json: line 4, column 4: rules\[0\].currency: missing" "$T/err"
same_size $((N3 + 1))

say "bench recognize times the five-year projection of three alternatives over the same awards"
mkdir "$T/bench"
run 0 bench recognize --n 1000 --dir "$T/bench"
has "five-year projection (three alternatives, fiscal years 2026-2030): 1000 awards in" "$T/out"
has "(target <= 3.00x)" "$T/out"

echo "cli_recognize: all checks passed"
