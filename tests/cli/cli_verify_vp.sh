#!/usr/bin/env bash
# credport verify also takes a W3C presentation (vp+jwt from `present
# --format vp-jwt`): the holder's signature over challenge and audience,
# each credential's proof, its status against the issuer's status list, and
# every issuer in the trust file — each failure with its reason and exit 1;
# a presentation without --audience, or --status-list with a bundle, exit 2.
set -euo pipefail
CP=$1
. "$(dirname "$0")/cli_lib.sh"

run 0 -d "$D" init --name "NC DPI" --jurisdiction US-NC --role state
run 0 -d "$D" whoami --json
jstr vkey "$T/out" >"$T/trust.txt"
run 0 -d "$T/sc" init --name "SC DOE" --jurisdiction US-SC --role state
run 0 -d "$T/sc" whoami --json
jstr vkey "$T/out" >"$T/trust-sc.txt"
run 0 -d "$D" credential define --id c1 --title "Exit Tickets" --competency x --level 2 --hours 2
run 0 -d "$D" credential define --id c2 --title "Questioning" --competency x --level 3 --hours 4
run 0 educator keygen --out "$T/ana.key"
ANA=$(head -n 1 "$T/out")
run 0 -d "$D" award --credential c1 --educator "$ANA" --earned 2026-03-14
A1=$(tail -n 1 "$T/out")
run 0 -d "$D" award --credential c2 --educator "$ANA" --earned 2026-04-01
run 0 -d "$D" export ob3 --educator "$ANA" --out "$T/creds" --format jwt \
  --status-base https://nc.example/status/1
run 0 present --format vp-jwt --key "$T/ana.key" --from "$T/creds" --challenge n-1 \
  --audience "Acme School" --out "$T/vp.jwt"

say "a presentation from a trusted issuer verifies"
run 0 verify "$T/vp.jwt" --trust "$T/trust.txt" --challenge n-1 --audience "Acme School"
has "presented by did:key:z6Mk" "$T/out"
say "replayed to another challenge or audience: refused"
run 1 verify "$T/vp.jwt" --trust "$T/trust.txt" --challenge n-2 --audience "Acme School"
run 1 verify "$T/vp.jwt" --trust "$T/trust.txt" --challenge n-1 --audience "Other School"
say "an issuer not in the trust file: refused, naming it"
run 1 verify "$T/vp.jwt" --trust "$T/trust-sc.txt" --challenge n-1 --audience "Acme School"
has "untrusted issuer: credential 1 is issued by did:key:" "$T/err"
say "revoked after the presentation: the next status list says so"
run 0 -d "$D" revoke "$A1" --reason "issued in error"
run 0 -d "$D" export status-list --out "$T/status.json"
run 1 verify "$T/vp.jwt" --trust "$T/trust.txt" --challenge n-1 --audience "Acme School" \
  --status-list "$T/status.json"
has "REVOKED" "$T/out"
say "usage: a presentation needs --audience; a bundle takes no --status-list"
run 2 verify "$T/vp.jwt" --trust "$T/trust.txt" --challenge n-1
has "give --audience NAME" "$T/err"
printf 'not a bundle' >"$T/junk"
run 2 verify "$T/junk" --trust "$T/trust.txt" --challenge n-1 --status-list "$T/status.json"
has "--status-list is for presentations" "$T/err"
say "ok"
