#!/usr/bin/env bash
# Independent verification of the JOSE forms (ctest js.jose_independent):
# verify_jose.mjs, built on the `jose` package (package.json; installed by
# tools/setup with npm ci), which shares no code with credport, verifies the
# vc+jwt credentials, the vc+jwt status list (its bitstring decoded with
# node's zlib) and the vp+jwt presentation credport makes; credport's
# verify-vp accepts a presentation jose made, and refuses it for another
# challenge or audience or when signed by a key that is not the subject's;
# hostile JWTs (alg none, HS256 keyed with the public key, an X25519 jwk,
# another issuer's key, one character changed) are refused by both.
# Usage: bash jose_check.sh PATH-TO-CREDPORT PATH-TO-NODE
set -euo pipefail
CP=${1:?usage: jose_check.sh PATH-TO-CREDPORT PATH-TO-NODE}
NODE=${2:?usage: jose_check.sh PATH-TO-CREDPORT PATH-TO-NODE}
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
die() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
say() { printf 'check: %s\n' "$*"; }
[ -d "$HERE/node_modules/jose" ] || die "the check's packages are not installed: run tools/setup"
js() { "$NODE" "$HERE/verify_jose.mjs" "$@"; }
# cp STATUS ARGS...: runs credport, output in $T/out and $T/err.
cp_() {
  local want=$1 st=0
  shift
  "$CP" "$@" >"$T/out" 2>"$T/err" || st=$?
  [ "$st" = "$want" ] || { cat "$T/out" "$T/err"; die "credport $* exited $st, want $want"; }
}
b64u() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
URL=https://nc.example/credentials/status/1
D=$T/node

cp_ 0 -d "$D" init --name "NC DPI" --jurisdiction US-NC --role state
cp_ 0 -d "$D" credential define --id c1 --title "Exit Tickets" --competency "Uses exit tickets" \
  --level 2 --hours 2.5
cp_ 0 -d "$D" credential define --id c2 --title "Questioning" --competency "Asks" --level 4 --hours 40
ANA=$("$CP" educator keygen --out "$T/ana.key")
"$CP" educator keygen --out "$T/bob.key" >/dev/null
cp_ 0 -d "$D" award --credential c1 --educator "$ANA" --earned 2026-03-14
A1=$(cat "$T/out")
cp_ 0 -d "$D" award --credential c2 --educator "$ANA" --earned 2026-04-01
cp_ 0 -d "$D" export ob3 --educator "$ANA" --out "$T/creds" --format jwt --status-base "$URL"
set -- "$T"/creds/*.jwt
[ $# = 2 ] || die "expected 2 credentials, got $#"

say "jose verifies every vc+jwt credport exported, and credport's verify-vc too"
js vc --valid "$@"
for f in "$@"; do cp_ 0 verify-vc "$f"; done

say "one character of the payload changed: both refuse"
C1=$1
tr -d '\n' <"$C1" | awk -F. '{ p = $2; c = substr(p, 40, 1); r = (c == "A") ? "B" : "A";
  printf "%s.%s%s%s.%s\n", $1, substr(p, 1, 39), r, substr(p, 41), $3 }' >"$T/tampered.jwt"
js vc --invalid "$T/tampered.jwt"
cp_ 1 verify-vc "$T/tampered.jwt"

say "re-signed by another did:key: both refuse, credport says it is not the issuer's"
js resign-vc "$T/bob.key" "$C1" >"$T/resigned.jwt"
js vc --invalid "$T/resigned.jwt"
cp_ 1 verify-vc "$T/resigned.jwt"
grep -q "not by the issuer" "$T/err" || die "re-signed: $(cat "$T/err")"

say "alg none, HS256 keyed with the issuer's public key, an X25519 jwk: refused as malformed"
PAYLOAD=$(cut -d. -f2 "$C1")
printf '%s.%s.\n' "$(printf '{"alg":"none","typ":"vc+jwt"}' | b64u)" "$PAYLOAD" >"$T/none.jwt"
cp_ 2 verify-vc "$T/none.jwt"
grep -q 'alg "none" refused' "$T/err" || die "alg none: $(cat "$T/err")"
js vc --invalid "$T/none.jwt"
H=$(printf '{"alg":"HS256","typ":"vc+jwt"}' | b64u)
PK=$("$CP" -d "$D" whoami --json | sed -n 's/.*"public_key":"\([0-9a-f]*\)".*/\1/p')
[ ${#PK} = 64 ] || die "no issuer key in whoami --json"
SIG=$("$NODE" -e 'const c = require("crypto"); process.stdout.write(c.createHmac("sha256",
  Buffer.from(process.argv[1], "hex")).update(process.argv[2]).digest("base64url"))' "$PK" "$H.$PAYLOAD")
printf '%s.%s.%s\n' "$H" "$PAYLOAD" "$SIG" >"$T/hs256.jwt"
cp_ 2 verify-vc "$T/hs256.jwt"
grep -q 'alg "HS256" refused' "$T/err" || die "HS256: $(cat "$T/err")"
js vc --invalid "$T/hs256.jwt"
H=$(printf '{"alg":"EdDSA","typ":"vc+jwt","jwk":{"kty":"OKP","crv":"X25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}}' | b64u)
printf '%s.%s.%s\n' "$H" "$PAYLOAD" "$(cut -d. -f3 "$C1")" >"$T/x25519.jwt"
cp_ 2 verify-vc "$T/x25519.jwt"
grep -q 'crv must be "Ed25519"' "$T/err" || die "X25519: $(cat "$T/err")"

say "the status list: jose verifies it; the revoked award's bit is set in the next one"
cp_ 0 -d "$D" export status-list --out "$T/l0.jwt" --format jwt
[ "$(js list "$T/l0.jwt" "$URL")" = "entries=131072 set=" ] || die "fresh list"
cp_ 0 -d "$D" revoke "$A1" --reason "issued in error"
cp_ 0 -d "$D" export status-list --out "$T/l1.jwt" --format jwt
[ "$(js list "$T/l1.jwt" "$URL")" = "entries=131072 set=3" ] || die "list after revoke: $(js list "$T/l1.jwt" "$URL")"
cp_ 0 -d "$D" export status-list --out "$T/l1.json"
for f in "$@"; do
  if grep -q "$(printf '%s' "$A1" | cut -c1-8)" <<<"$(basename "$f")"; then REV=$f; else KEEP=$f; fi
done
cp_ 1 verify-vc "$REV" --status-list "$T/l1.jwt"
grep -q "revoked" "$T/err" || die "revoked: $(cat "$T/err")"
cp_ 1 verify-vc "$REV" --status-list "$T/l1.json"
cp_ 0 verify-vc "$KEEP" --status-list "$T/l1.json"
grep -q "not revoked" "$T/out" || die "kept: $(cat "$T/out")"
cp_ 0 verify-vc "$REV" --status-list "$T/l0.jwt"   # the older list did not know yet

say "present: a vp+jwt jose verifies; verify-vp checks challenge, audience and status"
cp_ 0 present --format vp-jwt --key "$T/ana.key" --from "$T/creds" --challenge n-123 \
  --audience "Acme Charter School" --out "$T/vp.jwt"
[ "$(js vp "$T/vp.jwt" n-123 "Acme Charter School" | grep -c '^enveloped urn:uuid:')" = 2 ] ||
  die "jose did not verify the presentation"
cp_ 0 verify-vp "$T/vp.jwt" --challenge n-123 --audience "Acme Charter School"
cp_ 1 verify-vp "$T/vp.jwt" --challenge n-124 --audience "Acme Charter School"
grep -q "another challenge" "$T/err" || die "challenge: $(cat "$T/err")"
cp_ 1 verify-vp "$T/vp.jwt" --challenge n-123 --audience "Other School"
grep -q "another audience" "$T/err" || die "audience: $(cat "$T/err")"
cp_ 1 verify-vp "$T/vp.jwt" --challenge n-123 --audience "Acme Charter School" \
  --status-list "$T/l1.jwt"
grep -q "REVOKED" "$T/out" || die "revoked in a presentation: $(cat "$T/out")"

say "a presentation jose made: accepted from the subject, refused from anyone else"
js sign-vp "$T/ana.key" n-9 "Acme" "$KEEP" >"$T/vp-ana.jwt"
cp_ 0 verify-vp "$T/vp-ana.jwt" --challenge n-9 --audience Acme
js sign-vp "$T/bob.key" n-9 "Acme" "$KEEP" >"$T/vp-bob.jwt"
cp_ 1 verify-vp "$T/vp-bob.jwt" --challenge n-9 --audience Acme
grep -q "not the presenter" "$T/err" || die "bob: $(cat "$T/err")"
cp_ 1 present --format vp-jwt --key "$T/bob.key" --from "$T/creds" --challenge n --audience a \
  --out "$T/vp-bob2.jwt"
grep -q "not the presenter" "$T/err" || die "present by bob: $(cat "$T/err")"
[ ! -e "$T/vp-bob2.jwt" ] || die "a refused presentation was written"
echo "jose_check: all checks passed"
