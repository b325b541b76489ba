#!/usr/bin/env bash
# verify: the issuer exports an educator's wallet, she presents a bundle
# (binary and armour, armour mangled as email does), the verifier checks it
# with the issuer's vkey: plain-words report, --json, exit 0. Refused with
# their reasons: a replay to another challenge or audience, an untrusted
# issuer, too few witnesses, an award revoked after the export once -d
# holds the newer checkpoint; awards signed before and after a key rotation,
# and before a retirement, verify. Hostile bundles (truncated, counts that
# lie, 10^6 entries claimed, empty, oversized, garbage) exit 2 with
# "malformed bundle" and the byte. Every single-bit flip and the forks
# shown to different witnesses are tests/proto/test_bundle_verify.c and
# tests/cli/fed_verify.sh.
# Usage: bash cli_verify.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: cli_verify.sh PATH-TO-CREDPORT}
# shellcheck source=cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"

run 0 verify --help
has "usage: credport verify BUNDLE --trust FILE --challenge NONCE" "$T/out"

run 0 -d "$D" init --name "NC Department of Public Instruction" --jurisdiction US-NC --role state
run 0 -d "$D" whoami --json
VKEY=$(jstr vkey "$T/out")
printf '# North Carolina\n%s\n' "$VKEY" >"$T/trust"
: >"$T/trust.empty"
run 0 -d "$D" credential define --id c1 --title "Exit Tickets" --competency one --level 2 \
  --hours 10.5
run 0 -d "$D" credential define --id c2 --title "Peer Coaching" --competency two --level 3 \
  --hours 5
run 0 educator keygen --out "$T/ana.key" --json
ANA=$(jstr public_key "$T/out")
ANADID=$(jstr did "$T/out")
run 0 -d "$D" award --credential c1 --educator "$ANA" --earned 2026-01-02 --assessor a1
A1=$(cat "$T/out")
run 0 -d "$D" award --credential c2 --educator "$ANA" --earned 2026-01-03 --assessor a2
A2=$(cat "$T/out")

present() { # present WALLET OUT CHALLENGE AUDIENCE [ARGS...]
  local w=$1 o=$2 c=$3 a=$4
  shift 4
  run 0 present --key "$T/ana.key" --from "$w" --challenge "$c" --audience "$a" --out "$o" "$@"
}

say "round trip: export, present, verify with the issuer's vkey"
run 0 -d "$D" wallet export --educator "$ANA" --out "$T/w.bin"
present "$T/w.bin" "$T/b.bin" n-1 "Private School"
run 0 verify "$T/b.bin" --trust "$T/trust" --challenge n-1 --audience "Private School"
has "^educator      $ANA$" "$T/out"
has "^              $ANADID$" "$T/out"
has "^award 1 of 2: Exit Tickets$" "$T/out"
has "^award 2 of 2: Peer Coaching$" "$T/out"
has "^  issuer        NC Department of Public Instruction (US-NC, state)$" "$T/out"
has "^  level         2$" "$T/out"
has "^  hours         10.5$" "$T/out"
has "^  earned        2026-01-02$" "$T/out"
has "^  status        valid$" "$T/out"
has "^  id            $A1$" "$T/out"
has "ok   the educator's signature over the bundle" "$T/out"
has "ok   issuer's genesis key is in the trust file" "$T/out"
has "^verdict: VALID$" "$T/out"
run 0 verify "$T/b.bin" --trust "$T/trust" --challenge n-1 --json
has '"valid":true,"reason":null' "$T/out"
has '"title":"Exit Tickets"' "$T/out"
has '"audience_ok":null' "$T/out"

say "armour, and armour as email mangles it (CRLF, indentation)"
present "$T/w.bin" "$T/b.asc" n-1 "Private School" --armor
has "^-----BEGIN CREDPORT BUNDLE-----" "$T/b.asc"
run 0 verify "$T/b.asc" --trust "$T/trust" --challenge n-1 --audience "Private School"
sed 's/^/  /; s/$/\r/' "$T/b.asc" >"$T/b.mail"
run 0 verify "$T/b.mail" --trust "$T/trust" --challenge n-1 --audience "Private School"
has "^verdict: VALID$" "$T/out"

say "a replay to another verifier: another challenge or audience"
run 1 verify "$T/b.bin" --trust "$T/trust" --challenge n-2 --audience "Private School"
has "wrong challenge: the bundle answers the challenge \"n-1\", not \"n-2\"" "$T/out"
has "^verdict: NOT VALID: wrong challenge$" "$T/out"
has "the bundle does NOT verify: wrong challenge" "$T/err"
run 1 verify "$T/b.bin" --trust "$T/trust" --challenge n-1 --audience "Wake County"
has "wrong audience: the bundle was made for \"Private School\", not \"Wake County\"" "$T/out"
run 1 verify "$T/b.bin" --trust "$T/trust" --challenge n-1 --json --audience other
has '"valid":false,"reason":"wrong_audience"' "$T/out"

say "an issuer the verifier does not trust; witnesses and age it cannot have"
run 1 verify "$T/b.bin" --trust "$T/trust.empty" --challenge n-1
has "untrusted issuer: credport/us-nc/[0-9a-f]*: its genesis key [0-9a-f]* is not in the trust file" "$T/out"
run 1 verify "$T/b.bin" --trust "$T/trust" --challenge n-1 --witnesses 1
has "too few witnesses: .*cosigned by 0 of the 1 required trusted witnesses" "$T/out"
run 1 verify "$T/b.bin" --trust "$T/trust" --challenge n-1 --max-age 30d
has "checkpoint too old: .*no trusted witness cosigned its checkpoint" "$T/out"

say "a wallet is not a bundle"
run 1 verify "$T/w.bin" --trust "$T/trust" --challenge n-1
has "parts that do not belong together: this is a wallet, not a bundle" "$T/out"

say "usage errors exit 2"
run 2 verify "$T/b.bin" --trust "$T/trust"
has "challenge NONCE is required" "$T/err"
run 2 verify "$T/b.bin" --challenge n-1
run 2 verify "$T/b.bin" --trust "$T/trust" --challenge n-1 --max-age 1h30m
has "is not a duration like 90s, 12h or 30d" "$T/err"
printf 'witness %s\n' "$VKEY" >"$T/trust.bad"
run 2 verify "$T/b.bin" --trust "$T/trust.bad" --challenge n-1
has "trust file line 1: \"witness\" needs a witness key" "$T/err"
run 2 verify "$T/missing.bin" --trust "$T/trust" --challenge n-1

say "an award revoked after the export: refused once -d holds the newer checkpoint"
run 0 -d "$D" wallet export --educator "$ANA" --out "$T/w.old"
run 0 -d "$D" revoke "$A2" --reason "issued in error"
present "$T/w.old" "$T/b.old" n-3 "Private School"
run 0 verify "$T/b.old" --trust "$T/trust" --challenge n-3
run 1 verify "$T/b.old" --trust "$T/trust" --challenge n-3 -d "$D"
has "revoked: award ${A2:0:16}... of credport/us-nc/[0-9a-f]*: revoked at seq 5 of its log" "$T/out"
has "node: consistent with the node's checkpoint at size 6" "$T/out"
has "^award 2 of 2: Peer Coaching$" "$T/out"
has "^  status        NOT VALID: revoked$" "$T/out"
run 1 -d "$D" verify "$T/b.old" --trust "$T/trust" --challenge n-3 --json
has '"reason":"revoked"' "$T/out"
# The fresh wallet marks it revoked; present leaves it out; the rest verifies.
run 0 -d "$D" wallet export --educator "$ANA" --out "$T/w.new"
present "$T/w.new" "$T/b.new" n-4 "Private School"
run 0 verify "$T/b.new" --trust "$T/trust" --challenge n-4 -d "$D"
has "^award 1 of 1: Exit Tickets$" "$T/out"

say "rotation: awards signed before and after a rotation verify; and before a retirement"
run 0 -d "$D" key rotate
run 0 -d "$D" award --credential c2 --educator "$ANA" --earned 2026-02-01 --assessor a3
run 0 -d "$D" wallet export --educator "$ANA" --out "$T/w.rot"
present "$T/w.rot" "$T/b.rot" n-5 "Private School"
run 0 verify "$T/b.rot" --trust "$T/trust" --challenge n-5 -d "$D"
has "^award 2 of 2: Peer Coaching$" "$T/out"
has "entries signed by the key in force at their seq (1 key entries)" "$T/out"
run 0 -d "$D" key retire --reason "office closed"
run 0 -d "$D" wallet export --educator "$ANA" --out "$T/w.ret"
present "$T/w.ret" "$T/b.ret" n-6 "Private School"
run 0 verify "$T/b.ret" --trust "$T/trust" --challenge n-6 -d "$D"
has "(2 key entries, retired)" "$T/out"

say "hostile bundles exit 2: malformed bundle at byte N"
u32at() { od -An -tu1 -j "$2" -N4 "$1" | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}'; }
put32() { printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($2 >> 24 & 255)) $(($2 >> 16 & 255)) \
  $(($2 >> 8 & 255)) $(($2 & 255)))" | dd of="$1" bs=1 seek="$3" conv=notrunc status=none; }
B=$T/b.bin # challenge n-1 (3 bytes), audience "Private School" (14 bytes)
NLOGS=$((42 + 4 + 3 + 4 + 14))
[ "$(u32at "$B" "$NLOGS")" = 1 ] || die "the bundle's log count is not at byte $NLOGS"
NOTE=$((NLOGS + 4 + 32))
M=$(u32at "$B" "$NOTE")
S=$(u32at "$B" $((NOTE + 4 + M)))
NENT=$((NOTE + 4 + M + 4 + S))
[ "$(u32at "$B" "$NENT")" = 5 ] || die "the entry count is not 5 at byte $NENT"
cp "$B" "$T/h1.bin"
put32 "$T/h1.bin" 1000000 "$NENT"
run 2 verify "$T/h1.bin" --trust "$T/trust" --challenge n-1
has "malformed bundle: .*at byte $NENT: .*1000000" "$T/err"
has "^verdict: NOT VALID: malformed bundle$" "$T/out"
cp "$B" "$T/h2.bin"
put32 "$T/h2.bin" 2 "$NLOGS"
run 2 verify "$T/h2.bin" --trust "$T/trust" --challenge n-1
has "malformed bundle: .*at byte [0-9]*" "$T/err"
cp "$B" "$T/h3.bin"
put32 "$T/h3.bin" $((M + 1)) "$NOTE"
run 2 verify "$T/h3.bin" --trust "$T/trust" --challenge n-1
has "malformed bundle: .*at byte [0-9]*" "$T/err"
head -c 700 "$B" >"$T/h4.bin"
run 2 verify "$T/h4.bin" --trust "$T/trust" --challenge n-1 --json
has '"valid":false,"reason":"malformed"' "$T/out"
has "malformed bundle: .*at byte [0-9]*" "$T/err"
: >"$T/h5.bin"
run 2 verify "$T/h5.bin" --trust "$T/trust" --challenge n-1
has "malformed bundle" "$T/err"
head -c 4000 /dev/urandom >"$T/h6.bin"
run 2 verify "$T/h6.bin" --trust "$T/trust" --challenge n-1
has "malformed bundle" "$T/err"
head -c $((13 * 1024 * 1024)) /dev/zero >"$T/h7.bin"
run 2 verify "$T/h7.bin" --trust "$T/trust" --challenge n-1
has "malformed bundle: .*is larger than" "$T/err"
say "ok"
