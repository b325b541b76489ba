#!/usr/bin/env bash
# Offline revocation status: `revocations` (the statement signed with every
# checkpoint, its count and root recomputed here from RFC 9162 over the
# sorted revoked IDs), `prove absence` and `verify-proof` of it (exit
# 0/1/2), refusal for a revoked award, and audit catching a tampered
# statement.
# Usage: bash cli_revstatus.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: cli_revstatus.sh PATH-TO-CREDPORT}
# shellcheck source=cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"
ORIGIN=example.org/credport/revstatus

jnum() { sed -n 's/.*"'"$1"'":\([0-9]*\).*/\1/p' "$2" | head -n 1; }
hex2bin() { printf "$(printf '%s' "$1" | sed 's/../\\x&/g')"; }
hex2b64() { hex2bin "$1" | base64 -w0; }
leaf() { { printf '\x00'; hex2bin "$1"; } | sha256sum | cut -c1-64; }
node() { { printf '\x01'; hex2bin "$1"; hex2bin "$2"; } | sha256sum | cut -c1-64; }
# RFC 9162 MTH over the sorted IDs in L[b..b+n).
mth() {
  local b=$1 n=$2 k=1
  if [ "$n" = 0 ]; then printf '' | sha256sum | cut -c1-64; return; fi
  if [ "$n" = 1 ]; then leaf "${L[$b]}"; return; fi
  while [ $((k * 2)) -lt "$n" ]; do k=$((k * 2)); done
  node "$(mth "$b" "$k")" "$(mth $((b + k)) $((n - k)))"
}
line() { sed -n "$1p" "$2" | cut -d' ' -f2-; }

run 0 -d "$D" init --name "Rev Test" --jurisdiction US-NC --role state --origin "$ORIGIN"
run 0 -d "$D" whoami --json
VKEY=$(jstr vkey "$T/out")
run 0 -d "$D" credential define --id c1 --title One --competency one --level 1 --hours 1
CRED=$(cat "$T/out")
E1=$(printf '1%.0s' {1..64})

run 0 revocations --help
has "usage: credport revocations" "$T/out"
run 0 prove absence --help
has "usage: credport prove absence" "$T/out"
run 0 bench revocations --help
has "usage: credport bench revocations" "$T/out"
say "revocations: a statement with every checkpoint, none revoked"
run 0 -d "$D" revocations
has "^credport revocation status v1$" "$T/out"
[ "$(line 2 "$T/out")" = "$ORIGIN" ] || die "line 2 is not the origin"
[ "$(line 3 "$T/out")" = 2 ] || die "statement size is not 2"
[ "$(line 5 "$T/out")" = 0 ] || die "revoked count is not 0"
[ "$(line 6 "$T/out")" = "$(hex2b64 "$(mth 0 0)")" ] || die "empty revocation root wrong"
has "0 awards revoked as of size 2" "$T/out"
run 0 -d "$D" whoami --json
SELF=$(jstr public_key "$T/out")
run 0 -d "$D" revocations --log "$SELF"
has "0 awards revoked as of size 2" "$T/out"
run 2 -d "$D" revocations --log nothex
has '\-\-log: "nothex" is not a public key' "$T/err"
run 1 -d "$D" revocations --log "$(printf '%064x' 9)"
has "this node holds no log" "$T/err"

AW=()
for i in 1 2 3 4 5; do
  run 0 -d "$D" award --credential c1 --educator "$E1" --earned 2026-01-0$i --assessor a$i
  AW+=("$(cat "$T/out")")
done
run 0 -d "$D" checkpoint
sed -n 3p "$T/out" >"$T/root7"
run 0 -d "$D" revocations --json
[ "$(jnum size "$T/out")" = 7 ] || die "statement not at size 7"
[ "$(jnum revoked "$T/out")" = 0 ] || die "count changed without a revoke"

say "revoke three awards: the count and the root change"
for i in 1 3 4; do run 0 -d "$D" revoke "${AW[$i]}" --reason r$i; done
mapfile -t L < <(printf '%s\n' "${AW[1]}" "${AW[3]}" "${AW[4]}" | sort)
run 0 -d "$D" revocations
cp "$T/out" "$T/st10"
[ "$(line 3 "$T/st10")" = 10 ] || die "statement not at size 10"
[ "$(line 5 "$T/st10")" = 3 ] || die "revoked count is not 3"
[ "$(line 6 "$T/st10")" = "$(hex2b64 "$(mth 0 3)")" ] || die "revocation root is not the MTH of the sorted IDs"
head -n 7 "$T/st10" >"$T/stmt"
run 0 -d "$D" revocations --size 8
[ "$(line 5 "$T/out")" = 1 ] || die "at size 8 one award is revoked"
mapfile -t L < <(printf '%s\n' "${AW[1]}")
[ "$(line 6 "$T/out")" = "$(hex2b64 "$(mth 0 1)")" ] || die "size-8 root wrong"
run 1 -d "$D" revocations --size 99
has "no revocation statement at size 99" "$T/err"
run 2 -d "$D" revocations --size x

say "prove absence and verify-proof, offline"
for i in 0 2; do
  run 0 -d "$D" prove absence "${AW[$i]}"
  cp "$T/out" "$T/abs$i"
  has "\"award\":\"${AW[$i]}\"" "$T/abs$i"
  has '"revocations":3' "$T/abs$i"
  run 0 verify-proof "$T/abs$i" --vkey "$VKEY"
  has "ok: award ${AW[$i]} is not revoked in $ORIGIN as of size 10 (3 revoked" "$T/out"
  run 0 verify-proof "$T/abs$i" --vkey "$VKEY" --statement "$T/stmt" --json
  has '"valid":true' "$T/out"
done

say "refused: a revoked award, an unknown entry, a non-award"
run 1 -d "$D" prove absence "${AW[3]}"
has "is REVOKED" "$T/err"
run 1 -d "$D" prove absence "$(printf 'ab%.0s' {1..32})"
has "not found" "$T/err"
run 1 -d "$D" prove absence "$CRED"
has "is not an award of this node" "$T/err"
run 2 -d "$D" prove absence nothex

say "verify-proof refusals: another key, another award, a tampered proof, malformed"
run 0 -d "$T/other" init --name Other --jurisdiction US-VA --role state --origin "$ORIGIN"
run 0 -d "$T/other" whoami --json
run 1 verify-proof "$T/abs0" --vkey "$(jstr vkey "$T/out")"
has "signature does not verify" "$T/err"
sed "s/${AW[0]}/${AW[3]}/" "$T/abs0" >"$T/bad"
run 1 verify-proof "$T/bad" --vkey "$VKEY"
has "does not show the award absent" "$T/err"
sed 's/"index":\([0-9]\)/"index":1\1/' "$T/abs2" >"$T/bad"
run 1 verify-proof "$T/bad" --vkey "$VKEY"
sed 's/revoked 3/revoked 2/' "$T/abs0" >"$T/bad"
run 1 verify-proof "$T/bad" --vkey "$VKEY"
sed 's/"revocations":3/"revocations":4/' "$T/abs0" >"$T/bad"
run 1 verify-proof "$T/bad" --vkey "$VKEY"
has "count differs" "$T/err"
head -c 100 "$T/abs0" >"$T/bad"
run 2 verify-proof "$T/bad" --vkey "$VKEY"
run 2 verify-proof "$T/abs0"
has "give --vkey" "$T/err"

say "bound to the checkpoint it names"
run 0 -d "$D" checkpoint
cp "$T/out" "$T/cp10"
run 0 verify-proof "$T/abs0" --vkey "$VKEY" --checkpoint "$T/cp10"
run 0 -d "$D" award --credential c1 --educator "$E1" --earned 2026-01-09 --assessor z
run 0 -d "$D" checkpoint
cp "$T/out" "$T/cp11"
run 1 verify-proof "$T/abs0" --vkey "$VKEY" --checkpoint "$T/cp11"
has "bound to another checkpoint" "$T/err"

say "audit recomputes every statement (a tampered one: tests/node/test_revstatus_store.c)"
run 0 -d "$D" audit
