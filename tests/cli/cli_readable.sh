#!/usr/bin/env bash
# Output people read: `log` and `show` name what an entry refers to (the
# credential's title beside an award, a revocation and an endorsement; the
# issuer's name) and give times as ISO 8601; --json gives every time as an
# RFC 3339 string plus the exact integer as *_unix.
set -euo pipefail
CP=$1
. "$(dirname "$0")/cli_lib.sh"

run 0 -d "$D" init --name "NC Department of Public Instruction" --jurisdiction US-NC --role state
run 0 -d "$D" credential define --id mc-fa --title "Formative Assessment Basics" --competency x \
  --level 2 --hours 15
CRED=$(tail -n 1 "$T/out")
run 0 -d "$D" award --credential mc-fa --educator "$(printf '%064x' 7)" --earned 2026-01-02
AWARD=$(tail -n 1 "$T/out")
run 0 -d "$D" revoke "$AWARD" --reason "entered twice"

say "log: titles beside awards and revocations"
run 0 -d "$D" log
grepq "award .* earned 2026-01-02  \"Formative Assessment Basics\"$" "$T/out" || { cat "$T/out"; die "award line"; }
grepq "revoke .*entered twice  \"Formative Assessment Basics\"$" "$T/out" || { cat "$T/out"; die "revoke line"; }

say "show: ISO time, the credential's title, the issuer's name"
run 0 -d "$D" show "$AWARD"
grepq '^time  *20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z$' "$T/out" || { cat "$T/out"; die "time"; }
has "credential_title Formative Assessment Basics" "$T/out"
has "log_name      NC Department of Public Instruction" "$T/out"
has "revoked       yes" "$T/out"

say "--json: RFC 3339 times with the integer beside them"
run 0 -d "$D" show "$AWARD" --json
grepq '"time":"20[0-9-]*T[0-9:]*Z","time_unix":[1-9][0-9]*,' "$T/out" || { cat "$T/out"; die "time in --json"; }
has '"credential_title":"Formative Assessment Basics"' "$T/out"
has '"log_name":"NC Department of Public Instruction"' "$T/out"
t=$(sed -n 's/.*"time_unix":\([0-9]*\).*/\1/p' "$T/out")
iso=$(sed -n 's/.*"time":"\([^"]*\)".*/\1/p' "$T/out")
[ "$(date -u -d "@$t" +%Y-%m-%dT%H:%M:%SZ)" = "$iso" ] || die "time $iso is not time_unix $t"
run 0 -d "$D" log --json
has "\"credential\":\"$CRED\",\"educator\"" "$T/out"
has '"target_title":"Formative Assessment Basics"' "$T/out"
run 0 -d "$D" status --json
has '"newest_cosignature":null,"newest_cosignature_unix":null' "$T/out"

say "verify-proof --json says what it checked"
run 0 -d "$D" whoami --json
VKEY=$(jstr vkey "$T/out")
run 0 -d "$D" prove inclusion "$AWARD"
cp "$T/out" "$T/proof.json"
run 0 -d "$D" checkpoint
cp "$T/out" "$T/cp.txt"
run 0 verify-proof "$T/proof.json" --checkpoint "$T/cp.txt" --vkey "$VKEY" --json
has '"valid":true,"kind":"inclusion","format":"json","origin":"credport/us-nc/' "$T/out"
has '"checked":\["checkpoint signature","inclusion path"\]' "$T/out"
sed 's/"leaf_index":[0-9]*/"leaf_index":0/' "$T/proof.json" >"$T/bad.json"
run 1 verify-proof "$T/bad.json" --checkpoint "$T/cp.txt" --vkey "$VKEY" --json
has '"valid":false,"reason":"the inclusion path does not lead' "$T/out"
has '"checked":\["checkpoint signature"\]' "$T/out"
say "ok"
