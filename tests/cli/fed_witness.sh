#!/usr/bin/env bash
# Federation: witnesses (docs/PROTOCOL.md L-2). A issues; B and C both take
# A's log from A. Each node has a witness key (whoami --json witness_vkey,
# a cosignature/v1 verifier key); A trusts B's and C's, B trusts C's, C
# trusts B's. After the syncs, A's checkpoint as stored on A, B and C
# carries both B's and C's cosignatures; B's verifies under an independent
# Ed25519 verifier (openssl) over "cosignature/v1\ntime T\n" and the body,
# with the key id of the C2SP conventions (tests/vectors/tlog). A
# checkpoint of another root is never cosigned.
# Usage: bash fed_witness.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_witness.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"

declare -A WV
# vkey_b64 VKEY: the base64 key field (it may itself hold '+').
vkey_b64() { printf '%s' "$1" | cut -d+ -f3-; }
for n in A B C; do
  node_init "$n"
  WV[$n]=$("$CP" -d "${D[$n]}" whoami --json | sed -n 's/.*"witness_vkey":"\([^"]*\)".*/\1/p')
  ORIGIN=$("$CP" -d "${D[$n]}" whoami --json | sed -n 's/.*"origin":"\([^"]*\)".*/\1/p')
  [[ ${WV[$n]} =~ ^$ORIGIN/witness\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$ ]] ||
    die "witness_vkey of $n is \"${WV[$n]}\", not name+keyid+base64 under $ORIGIN/witness"
  # Type byte 0x04: cosignature/v1 (C2SP tlog-cosignature), as witnesses.vkeys.
  [ "$(vkey_b64 "${WV[$n]}" | base64 -d | head -c 1 | od -An -tx1 | tr -d ' ')" = 04 ] ||
    die "witness_vkey of $n is not a cosignature/v1 key"
  [ "$(stat -c %a "${D[$n]}/witness.key")" = 600 ] || die "witness.key of $n is not mode 0600"
  "$CP" -d "${D[$n]}" whoami | grep -q "^witness vkey  ${WV[$n]}$" || die "whoami of $n shows no witness vkey"
done
say "witness keys: name+keyid+base64(0x04||pk), 0600 files"

# The key id is SHA-256(name || "\n" || 0x04 || pk)[:4], as in tests/vectors/tlog.
name=${WV[B]%%+*}
{ printf '%s\n' "$name"; vkey_b64 "${WV[B]}" | base64 -d; } >"$T/kid.in"
[ "$(sha256sum "$T/kid.in" | head -c 8)" = "$(printf '%s' "${WV[B]}" | cut -d+ -f2)" ] ||
  die "B's witness key id is not SHA-256(name, newline, type, key)[:4]"

if "$CP" -d "${D[A]}" witness trust "$("$CP" -d "${D[B]}" whoami --json |
    sed -n 's/.*"vkey":"\([^"]*\)".*/\1/p')" 2>"$T/err"; then
  die "a log vkey (type 0x01) was trusted as a witness key"
fi
grep -q "not a cosignature/v1 key" "$T/err" || die "no reason for the refused key: $(cat "$T/err")"
"$CP" -d "${D[A]}" witness trust "${WV[B]}"
"$CP" -d "${D[A]}" witness trust "${WV[C]}"
"$CP" -d "${D[B]}" witness trust "${WV[C]}"
"$CP" -d "${D[C]}" witness trust "${WV[B]}"
[ "$("$CP" -d "${D[A]}" witness list | wc -l)" = 2 ] || die "A does not list two trusted witnesses"

issue A 5
SIZE=$(own_size A)
"$CP" -d "${D[A]}" peer add --accept "${KEY[B]}" >/dev/null
"$CP" -d "${D[A]}" peer add --accept "${KEY[C]}" >/dev/null
start_node A
for n in B C; do
  "$CP" -d "${D[$n]}" peer add "127.0.0.1:${PORT[A]}" "${KEY[A]}" >/dev/null
  start_node "$n"
done

# cosig_count NODE: the cosignatures on A's stored checkpoint at NODE.
cosig_count() {
  "$CP" -d "${D[$1]}" status --json |
    python3 -c 'import json,sys; l=[x for x in json.load(sys.stdin)["logs"] if x["log"]==sys.argv[1]]; print(l[0]["cosignatures"] if l and l[0]["checkpoint"] else 0)' "${KEY[A]}"
}
both() { [ "$(cosig_count "$1")" = 2 ]; }
say "B and C sync A's log; each cosigns A's checkpoint; the cosignatures travel"
for n in A B C; do
  wait_for 30 both "$n" || die "A's checkpoint at $n carries $(cosig_count "$n") cosignatures, want 2"
done
for n in A B C; do
  "$CP" -d "${D[$n]}" checkpoint --log "${KEY[A]}" >"$T/cp.$n"
  [ "$(sed -n 2p "$T/cp.$n")" = "$SIZE" ] || die "A's checkpoint at $n is not at size $SIZE"
  for w in B C; do
    grep -q "^— ${WV[$w]%%+*} " "$T/cp.$n" || die "A's checkpoint at $n has no line by $w's witness"
  done
done
now=$(date +%s)
newest=$("$CP" -d "${D[B]}" status --json |
  python3 -c 'import json,sys; print([x for x in json.load(sys.stdin)["logs"] if x["log"]==sys.argv[1]][0]["newest_cosignature_unix"])' "${KEY[A]}")
[ "$newest" -le "$now" ] && [ "$newest" -gt $((now - 120)) ] || die "newest cosignature time $newest is not recent"

# openssl and xxd are installed by tools/setup: the check always runs.
printf '302a300506032b6570032100' | xxd -r -p >"$T/pk.der" || die "xxd failed"
vkey_b64 "${WV[B]}" | base64 -d | tail -c 32 >>"$T/pk.der"
openssl pkey -pubin -inform DER -in "$T/pk.der" -out "$T/pk.pem" || die "openssl cannot read B's key"
{
  say "an independent Ed25519 verifier (openssl) accepts B's cosignature"
  line=$(grep "^— ${WV[B]%%+*} " "$T/cp.C")
  printf '%s' "${line##* }" | base64 -d >"$T/raw"
  [ "$(head -c 4 "$T/raw" | od -An -tx1 | tr -d ' \n')" = "$(printf '%s' "${WV[B]}" | cut -d+ -f2)" ] ||
    die "B's cosignature line does not carry B's key id"
  ts=$((16#$(head -c 12 "$T/raw" | tail -c 8 | od -An -tx1 | tr -d ' \n')))
  { printf 'cosignature/v1\ntime %s\n' "$ts"; head -n 3 "$T/cp.C"; } >"$T/msg"
  tail -c 64 "$T/raw" >"$T/sig"
  openssl pkeyutl -verify -pubin -inkey "$T/pk.pem" -rawin -in "$T/msg" -sigfile "$T/sig" \
    >/dev/null || die "openssl does not verify B's cosignature"
  { printf 'cosignature/v1\ntime %s\n' "$((ts + 1))"; head -n 3 "$T/cp.C"; } >"$T/msg"
  if openssl pkeyutl -verify -pubin -inkey "$T/pk.pem" -rawin -in "$T/msg" -sigfile "$T/sig" \
    >/dev/null 2>&1; then die "openssl verifies B's cosignature at another time"; fi
}

for n in A B C; do
  ! grep -q "event=over-budget" "${LOGF[$n]}" || die "$n closed a session over budget"
  ! grep -q "event=refused" "${LOGF[$n]}" || die "$n refused a partner: $(grep event=refused "${LOGF[$n]}")"
done
for n in A B C; do stop_node "$n"; done
for n in A B C; do audit_clean "$n"; done
"$CP" -d "${D[B]}" backup --out "$T/bk" --with-keys >/dev/null || die "backup of B"
"$CP" -d "$T/B2" restore --from "$T/bk" >/dev/null || die "restore of B"
[ "$("$CP" -d "$T/B2" whoami --json | sed -n 's/.*"witness_vkey":"\([^"]*\)".*/\1/p')" = "${WV[B]}" ] ||
  die "a restored node has another witness key"
say "backup and restore keep the witness key"
say "ok"
