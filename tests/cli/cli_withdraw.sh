#!/usr/bin/env bash
# Withdrawals and dated entries on the command line: revoke of each
# revocable type with an effective date, credential retire then award
# refused, endorse/approve --from/--until, attest-areas, and refusals that
# write nothing.
# Usage: bash cli_withdraw.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: cli_withdraw.sh PATH-TO-CREDPORT}
# shellcheck source=cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"
export CREDPORT_DATA=$T/nowhere
export CREDPORT_NOW=1735689600 # 2025-01-01T00:00:00Z

ANA=$(printf 'a%.0s' {1..64})
BEN=$(printf 'b%.0s' {1..64})
DP=$(printf '6%.0s' {1..64})
PLAN=$(printf '9%.0s' {1..64})

say "--help of the new commands"
run 0 attest-areas --help
has "usage: credport attest-areas" "$T/out"
run 0 credential retire --help
has "usage: credport credential retire" "$T/out"
run 0 revoke --help
has "--effective" "$T/out"

run 0 -d "$D" init --name "Clark County" --jurisdiction US-NV --role district
run 0 -d "$D" credential define --id mc-1 --title "Wait time" --competency "c" --level 1 --hours 15
CRED=$(cat "$T/out")
run 0 -d "$D" award --credential mc-1 --educator "$ANA" --earned 2024-10-01
AW=$(cat "$T/out")

say "endorse --from/--until states the period; --until before --from refused"
run 0 -d "$D" endorse --credential "$CRED" --claim approved --from 2016-07-01 --until 2017-06-30
EN=$(cat "$T/out")
run 0 -d "$D" show "$EN" --json
has '"version":2' "$T/out"
has '"from":"2016-07-01"' "$T/out"
has '"until":"2017-06-30"' "$T/out"
n=$(size)
run 2 -d "$D" endorse --authority "$DP" --claim x --from 2017-01-01 --until 2016-01-01
has "is before --from" "$T/err"
same_size "$n"

say "approve --from/--until (the stated period), logged at its own time"
run 0 -d "$D" approve --educator "$ANA" --credential "$CRED" --from 2024-09-01 --until 2025-08-31 \
  --plan-sha256 "$PLAN"
AP=$(cat "$T/out")
run 0 -d "$D" show "$AP" --json
has '"approved":"2024-09-01"' "$T/out"
has '"expires":"2025-08-31"' "$T/out"

say "attest-areas: an educator's licensure areas for a period"
run 0 -d "$D" attest-areas --educator "$ANA" --areas "Mathematics,Science" --from 2024-07-01 \
  --until 2025-06-30
AT=$(cat "$T/out")
run 0 -d "$D" show "$AT" --json
has '"type":"licensure"' "$T/out"
has '"areas":\["Mathematics","Science"\]' "$T/out"
has '"until":"2025-06-30"' "$T/out"
n=$(size)
run 2 -d "$D" attest-areas --educator "$ANA" --areas "A,,B" --from 2024-07-01
has "an empty area" "$T/err"
run 2 -d "$D" attest-areas --educator "$ANA" --areas A
has "--from" "$T/err"
run 2 -d "$D" attest-areas --educator "${ANA:0:63}" --areas A --from 2024-07-01
has "--educator" "$T/err"
same_size "$n"

say "revoke each type with an effective date; outside the period refused"
run 1 -d "$D" revoke "$EN" --reason "withdrawn" --effective 2017-07-01
has "has already lapsed" "$T/err"
run 1 -d "$D" revoke "$AW" --reason "error" --effective 2024-09-30
has "is before 2024-10-01, the first day" "$T/err"
same_size "$n"
run 0 -d "$D" revoke "$EN" --reason "approval withdrawn" --effective 2017-01-01
RV=$(cat "$T/out")
run 0 -d "$D" show "$RV" --json
has "\"target\":\"$EN\"" "$T/out"
has '"effective":"2017-01-01"' "$T/out"
run 0 -d "$D" show "$EN" --json
has '"revoked":true' "$T/out"
has "\"revoked_by\":\"$RV\"" "$T/out"
run 0 -d "$D" show "$AP" --json
has '"revoked":false' "$T/out"
run 0 -d "$D" revoke "$AP" --reason "plan changed" --effective 2025-01-01
run 0 -d "$D" revoke "$AT" --reason "licence lapsed" --effective 2025-01-01
run 0 -d "$D" revoke "$AW" --reason "evidence was another's"
run 0 -d "$D" show "$AW" --json
has '"revoked":true' "$T/out"
run 1 -d "$D" revoke "$AT" --reason again
has "already revoked" "$T/err"

say "credential retire, then a new award of it is refused; earlier awards stand"
run 0 -d "$D" award --credential mc-1 --educator "$BEN" --earned 2024-11-01
AW2=$(cat "$T/out")
run 0 -d "$D" credential retire mc-1 --reason "replaced by mc-2"
n=$(size)
run 1 -d "$D" award --credential mc-1 --educator "$BEN" --earned 2024-12-01
has "was retired effective 2025-01-01" "$T/err"
same_size "$n"
run 0 -d "$D" show "$AW2" --json
has '"revoked":false' "$T/out"
run 1 -d "$D" credential retire no-such --reason x
has 'no credential "no-such"' "$T/err"
run 1 -d "$D" credential retire "$CRED" --reason twice
has "already revoked" "$T/err"

say "the revocation statement counts the one revoked award only"
run 0 -d "$D" revocations
has "1 award revoked" "$T/out"

say "area rules read the attestations: recorded and audited, no --areas needed"
run 0 -d "$D" whoami --json
PK=$(jstr public_key "$T/out")
run 0 -d "$D" credential define --id mc-2 --title "Number talks" --competency "c" --level 1 \
  --hours 3 --area Mathematics
run 0 -d "$D" award --credential mc-2 --educator "$BEN" --earned 2024-12-01
run 0 -d "$D" attest-areas --educator "$BEN" --areas mathematics --from 2024-07-01 --until 2025-06-30
AT2=$(cat "$T/out")
cat >"$T/area.json" <<JSON
{"format":"credport-policy/1","id":"area-test","authorities":{"district":"$PK"},
 "currencies":[{"id":"cu","unit":"contact unit"}],
 "rules":[{"id":"in-area","kind":"per_award","currency":"cu","amount":1,
           "filter":{"area_match":{"attested_by":"district"}}}]}
JSON
run 0 -d "$D" policy publish "$T/area.json"
run 0 -d "$D" recognize --educator "$BEN" --policy area-test --as-of 2025-01-01 --json
has '"amount":1' "$T/out"
run 0 -d "$D" recognize --educator "$BEN" --policy area-test --as-of 2025-01-01 --record
has "recorded" "$T/out"
export CREDPORT_NOW=1735776000 # a day later: after the recording's cutoff
run 0 -d "$D" revoke "$AT2" --reason "wrong area" --effective 2024-07-01
run 0 -d "$D" recognize --educator "$BEN" --policy area-test --as-of 2025-01-01 --explain
has "area_mismatch" "$T/out"

say "audit is clean (the recorded grant recomputes at its own time)"
run 0 -d "$D" audit
has "CLEAN" "$T/out"
