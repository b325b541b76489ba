#!/usr/bin/env bash
# Checkpoints (C2SP signed-note text), `prove` JSON (exact members and
# order) and `verify-proof` verdicts and exit statuses.
# Usage: bash cli_proofs.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: cli_proofs.sh PATH-TO-CREDPORT}
# shellcheck source=cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"
ORIGIN=example.org/credport/proofs

jnum() { sed -n 's/.*"'"$1"'":\([0-9]*\).*/\1/p' "$2" | head -n 1; }
# hex -> base64 without xxd: each byte through printf's \x escapes.
hex2b64() { printf "$(printf '%s' "$1" | sed 's/../\\x&/g')" | base64 -w0; }
B64='[A-Za-z0-9+/]'
# RFC 9162 MTH over hex leaf hashes (the entry IDs): mth FIRST COUNT, using IDS.
node() { printf "$(printf '01%s%s' "$1" "$2" | sed 's/../\\x&/g')" | sha256sum | cut -c1-64; }
mth() {
  local b=$1 n=$2 k=1
  if [ "$n" = 1 ]; then printf '%s' "${IDS[$b]}"; return; fi
  while [ $((k * 2)) -lt "$n" ]; do k=$((k * 2)); done
  node "$(mth "$b" "$k")" "$(mth $((b + k)) $((n - k)))"
}
# RFC 9162 PATH(m, D[b:b+n]) as a JSON array of base64 hashes, leaf side first.
path() {
  local m=$1 b=$2 n=$3 k=1
  [ "$n" -le 1 ] && return
  while [ $((k * 2)) -lt "$n" ]; do k=$((k * 2)); done
  if [ "$m" -lt "$k" ]; then
    path "$m" "$b" "$k"; printf '"%s",' "$(hex2b64 "$(mth $((b + k)) $((n - k)))")"
  else
    path $((m - k)) $((b + k)) $((n - k)); printf '"%s",' "$(hex2b64 "$(mth "$b" "$k")")"
  fi
}
HASH="$B64{43}="

run 0 -d "$D" init --name "Proof Test" --jurisdiction US-NC --role state --origin "$ORIGIN"
run 0 -d "$D" whoami --json
PK=$(jstr public_key "$T/out")
VKEY=$(jstr vkey "$T/out")
run 0 -d "$D" credential define --id c1 --title One --competency one --level 1 --hours 1
E1=$(printf '1%.0s' {1..64})
awk -v e="$E1" 'BEGIN { print "credential,educator,earned,assessor,evidence_sha256";
  for (i = 0; i < 11; i++) printf "c1,%s,2026-01-%02d,a%d,\n", e, i + 1, i }' >"$T/a.csv"
run 0 -d "$D" award --csv "$T/a.csv"
run 0 -d "$D" log --json
IDS=($(grep -o '"id":"[0-9a-f]\{64\}"' "$T/out" | cut -d'"' -f4))
[ "${#IDS[@]}" = 13 ] || die "13 entries expected, found ${#IDS[@]}"
run 0 -d "$D" whoami --json
ROOT=$(jstr root "$T/out")

say "checkpoint: the C2SP signed-note text"
run 0 -d "$D" checkpoint
cp "$T/out" "$T/cp13"
[ "$(wc -l <"$T/cp13")" = 5 ] || die "checkpoint has $(wc -l <"$T/cp13") lines, want 5"
[ "$(tail -c 1 "$T/cp13" | od -An -c | tr -d ' ')" = '\n' ] || die "checkpoint does not end in a newline"
[ "$(sed -n 1p "$T/cp13")" = "$ORIGIN" ] || die "line 1 is not the origin"
[ "$(sed -n 2p "$T/cp13")" = 13 ] || die "line 2 is not the size 13"
[ "$(sed -n 3p "$T/cp13")" = "$ROOT" ] || die "line 3 is not the root whoami reports"
[[ $(sed -n 3p "$T/cp13") =~ ^$HASH$ ]] || die "line 3 is not base64 of 32 bytes"
[ "$ROOT" = "$(hex2b64 "$(mth 0 13)")" ] || die "the root is not RFC 9162's MTH of the entry IDs"
[ -z "$(sed -n 4p "$T/cp13")" ] || die "line 4 is not blank"
[[ $(sed -n 5p "$T/cp13") =~ ^—\ $ORIGIN\ $B64{91}=$ ]] ||
  die "signature line \"$(sed -n 5p "$T/cp13")\" is not '— origin base64(keyid||sig)'"
KEYID=$(printf '%s' "$VKEY" | cut -d+ -f2)
SIGB64=$(sed -n 5p "$T/cp13" | awk '{print $3}')
[ "$(printf '%s' "$SIGB64" | base64 -d | head -c 4 | od -An -tx1 | tr -d ' \n')" = "$KEYID" ] ||
  die "the signature line's key id is not the vkey's $KEYID"
run 0 -d "$D" checkpoint --json
has "\"log\":\"$PK\"" "$T/out"
# openssl is installed by tools/setup: the check always runs.
printf "$(printf '302a300506032b6570032100%s' "$PK" | sed 's/../\\x&/g')" >"$T/pk.der"
openssl pkey -pubin -inform DER -in "$T/pk.der" -out "$T/pk.pem" || die "openssl cannot read the key"
{
  say "an independent Ed25519 verifier (openssl) accepts the note signature over the body"
  head -n 3 "$T/cp13" >"$T/body"
  printf '%s' "$SIGB64" | base64 -d | tail -c 64 >"$T/sig"
  openssl pkeyutl -verify -pubin -inkey "$T/pk.pem" -rawin -in "$T/body" -sigfile "$T/sig" \
    >/dev/null || die "openssl does not verify the checkpoint signature"
  printf 'x' >>"$T/body"
  if openssl pkeyutl -verify -pubin -inkey "$T/pk.pem" -rawin -in "$T/body" -sigfile "$T/sig" \
    >/dev/null 2>&1; then die "openssl verifies a changed body"; fi
}

say "prove inclusion --json: members and order"
run 0 -d "$D" prove inclusion "${IDS[5]}" --json
cp "$T/out" "$T/incl.json"
[[ $(cat "$T/incl.json") =~ ^\{\"log\":\"$PK\",\"leaf_index\":5,\"tree_size\":13,\"leaf_hash\":\"$HASH\",\"hashes\":\[(\"$HASH\",){3}\"$HASH\"\]\}$ ]] ||
  die "inclusion JSON: $(cat "$T/incl.json")"
[ "$(jstr leaf_hash "$T/incl.json")" = "$(hex2b64 "${IDS[5]}")" ] || die "leaf_hash is not the entry ID"

say "prove consistency --json: members and order"
WANT=$(path 5 0 13)
has "\"hashes\":\[${WANT%,}\]" "$T/incl.json"

run 0 -d "$D" prove consistency --from 6 --json
cp "$T/out" "$T/cons.json"
[[ $(cat "$T/cons.json") =~ ^\{\"log\":\"$PK\",\"old_size\":6,\"new_size\":13,\"old_root\":\"$HASH\",\"new_root\":\"$HASH\",\"hashes\":\[(\"$HASH\",)*\"$HASH\"\]\}$ ]] ||
  die "consistency JSON: $(cat "$T/cons.json")"
[ "$(jstr new_root "$T/cons.json")" = "$ROOT" ] || die "new_root is not the log's root"
[ "$(jstr old_root "$T/cons.json")" = "$(hex2b64 "$(mth 0 6)")" ] || die "old_root is not MTH of 6"
run 2 -d "$D" prove consistency --from 14
run 2 -d "$D" prove inclusion "${IDS[5]}" --size 14
run 2 -d "$D" prove inclusion "${IDS[5]}" --size 5
run 1 -d "$D" prove inclusion "$(printf '%064d' 3)"

say "verify-proof: ok exits 0"
run 0 verify-proof "$T/incl.json" --checkpoint "$T/cp13" --vkey "$VKEY"
has "ok" "$T/out"
run 0 verify-proof "$T/cons.json" --checkpoint "$T/cp13" --vkey "$VKEY"
printf '%s\n' "$VKEY" >"$T/vkey.txt"
run 0 verify-proof "$T/incl.json" --checkpoint "$T/cp13" --vkey "@$T/vkey.txt" --json
has '"valid":true' "$T/out"
for i in 0 1 2 7 12; do
  run 0 -d "$D" prove inclusion "${IDS[$i]}" --json
  cp "$T/out" "$T/p$i.json"
  WANT=$(path "$i" 0 13)
  has "\"hashes\":\[${WANT%,}\]" "$T/p$i.json"
  run 0 verify-proof "$T/p$i.json" --checkpoint "$T/cp13" --vkey "$VKEY"
done

say "verify-proof: a tampered proof exits 1"
H0=$(sed 's/.*"hashes":\["\([^"]*\)".*/\1/' "$T/incl.json")
C=${H0:5:1}
[ "$C" = A ] && R=B || R=A
sed "s|$H0|${H0:0:5}$R${H0:6}|" "$T/incl.json" >"$T/bad1.json"
run 1 verify-proof "$T/bad1.json" --checkpoint "$T/cp13" --vkey "$VKEY"
sed 's/"leaf_index":5/"leaf_index":4/' "$T/incl.json" >"$T/bad2.json"
run 1 verify-proof "$T/bad2.json" --checkpoint "$T/cp13" --vkey "$VKEY"
sed "s|\"leaf_hash\":\"[^\"]*\"|\"leaf_hash\":\"$(hex2b64 "${IDS[6]}")\"|" "$T/incl.json" >"$T/bad3.json"
run 1 verify-proof "$T/bad3.json" --checkpoint "$T/cp13" --vkey "$VKEY"
sed 's/"tree_size":13/"tree_size":12/' "$T/incl.json" >"$T/bad4.json"
run 1 verify-proof "$T/bad4.json" --checkpoint "$T/cp13" --vkey "$VKEY"
sed 's/"old_size":6/"old_size":5/' "$T/cons.json" >"$T/bad5.json"
run 1 verify-proof "$T/bad5.json" --checkpoint "$T/cp13" --vkey "$VKEY"
sed 's/,"hashes":\["[^"]*",/,"hashes":[/' "$T/incl.json" >"$T/bad6.json"
run 1 verify-proof "$T/bad6.json" --checkpoint "$T/cp13" --vkey "$VKEY"
# A checkpoint whose root was changed no longer verifies.
awk 'NR == 3 { $0 = (substr($0, 1, 1) == "A" ? "B" : "A") substr($0, 2) } { print }' "$T/cp13" >"$T/cpbad"
run 1 verify-proof "$T/incl.json" --checkpoint "$T/cpbad" --vkey "$VKEY"

say "verify-proof: malformed input exits 2"
head -c 40 "$T/incl.json" >"$T/trunc.json"
run 2 verify-proof "$T/trunc.json" --checkpoint "$T/cp13" --vkey "$VKEY"
sed 's/"leaf_index"/"leaf_indx"/' "$T/incl.json" >"$T/typo.json"
run 2 verify-proof "$T/typo.json" --checkpoint "$T/cp13" --vkey "$VKEY"
has "leaf_indx" "$T/err"
sed 's/"tree_size":13/"tree_size":"13"/' "$T/incl.json" >"$T/type.json"
run 2 verify-proof "$T/type.json" --checkpoint "$T/cp13" --vkey "$VKEY"
echo 'not json at all' >"$T/junk.json"
run 2 verify-proof "$T/junk.json" --checkpoint "$T/cp13" --vkey "$VKEY"
run 2 verify-proof "$T/missing.json" --checkpoint "$T/cp13" --vkey "$VKEY"
run 2 verify-proof "$T/incl.json" --checkpoint "$T/cp13" --vkey "not-a-vkey"

say "verify-proof: another log's vkey exits 1"
run 0 -d "$T/other" init --name Other --jurisdiction US-SC --role district --origin "$ORIGIN"
run 0 -d "$T/other" whoami --json
OVKEY=$(jstr vkey "$T/out")
[ "$OVKEY" != "$VKEY" ] || die "two authorities share a vkey"
run 1 verify-proof "$T/incl.json" --checkpoint "$T/cp13" --vkey "$OVKEY"

say "old proofs still verify against old checkpoints after the log grows"
awk -v e="$E1" 'BEGIN { print "credential,educator,earned,assessor,evidence_sha256";
  for (i = 0; i < 20; i++) printf "c1,%s,2026-02-%02d,b%d,\n", e, i + 1, i }' >"$T/b.csv"
run 0 -d "$D" award --csv "$T/b.csv"
run 0 -d "$D" checkpoint
cp "$T/out" "$T/cp33"
[ "$(sed -n 2p "$T/cp33")" = 33 ] || die "size after 20 more awards"
run 0 verify-proof "$T/incl.json" --checkpoint "$T/cp13" --vkey "$VKEY"
run 1 verify-proof "$T/incl.json" --checkpoint "$T/cp33" --vkey "$VKEY"
run 0 -d "$D" prove consistency --from 13 --json
cp "$T/out" "$T/c1333.json"
[ "$(jstr old_root "$T/c1333.json")" = "$ROOT" ] || die "old_root at 13 is not the root seen at 13"
run 0 verify-proof "$T/c1333.json" --checkpoint "$T/cp33" --vkey "$VKEY" --old-checkpoint "$T/cp13"
run 0 -d "$D" prove inclusion "${IDS[5]}" --size 13 --json
cmp -s "$T/out" "$T/incl.json" || die "an inclusion proof at size 13 changed after the log grew"
run 0 -d "$D" verify-proof "$T/incl.json"

say "audit is clean"
run 0 -d "$D" audit
echo "cli_proofs: all checks passed"
