#!/usr/bin/env bash
# Wallets and bundles on the issuer's node: `wallet export` (hex or did:key,
# the same bytes; mode 0644; revoked awards marked; an educator with no
# award refused) and `present` run with no data folder (every award not
# revoked by default, --award subsets, --armor), and each refusal of
# present (a revoked award, an award the wallet lacks, another educator's
# key, a damaged wallet, missing options) with its reason and no file
# written. The replica side is tests/cli/fed_wallet.sh.
# Usage: bash cli_wallet.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: cli_wallet.sh PATH-TO-CREDPORT}
# shellcheck source=cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"

run 0 wallet --help
has "usage: credport \[-d DIR\] wallet export" "$T/out"
run 0 present --help
has "usage: credport present --key" "$T/out"

run 0 -d "$D" init --name "Wallet Test" --jurisdiction US-NC --role state
run 0 -d "$D" credential define --id c1 --title "Exit Tickets" --competency one --level 2 --hours 10
run 0 -d "$D" credential define --id c2 --title "Peer Coaching" --competency two --level 3 --hours 5
run 0 educator keygen --out "$T/ana.key" --json
ANA=$(jstr public_key "$T/out")
ANADID=$(jstr did "$T/out")
run 0 educator keygen --out "$T/ben.key"
BEN=$(cat "$T/out")
AW=()
for i in 1 2 3; do
  run 0 -d "$D" award --credential c1 --educator "$ANA" --earned 2026-01-0$i --assessor "a$i"
  AW+=("$(cat "$T/out")")
done
run 0 -d "$D" award --credential c2 --educator "$ANA" --earned 2026-01-09
AW+=("$(cat "$T/out")")
run 0 -d "$D" award --credential c2 --educator "$BEN" --earned 2026-01-09
BENAW=$(cat "$T/out")
run 0 -d "$D" revoke "${AW[1]}" --reason "issued in error"

say "wallet export: every award of the educator, the revoked one marked"
run 0 -d "$D" wallet export --educator "$ANA" --out "$T/w.bin"
has "wallet: 4 awards (1 revoked, 0 without status) from 1 log" "$T/out"
[ "$(head -c 8 "$T/w.bin")" = credport ] || die "the wallet does not start with the magic"
[ "$(stat -c %a "$T/w.bin")" = 644 ] || die "wallet mode $(stat -c %a "$T/w.bin"), want 644"
[ -z "$(ls "$T" | grep '\.tmp\.' || true)" ] || die "a temporary file was left"
run 0 -d "$D" wallet export --educator "$ANADID" --out "$T/w2.bin" --json
has '"awards":4' "$T/out"
cmp -s "$T/w.bin" "$T/w2.bin" || die "did:key and hex export differ"
if od -An -tx1 -v "$T/w.bin" | tr -d ' \n' | grepq "$BEN"; then
  die "another educator's award is in the wallet"
fi

say "wallet export refusals"
run 1 -d "$D" wallet export --educator "$(printf '7%.0s' {1..64})" --out "$T/none.bin"
has "no award of this educator is held here" "$T/err"
[ ! -e "$T/none.bin" ] || die "a wallet was written for an educator with no award"
run 2 -d "$D" wallet export --educator nope --out "$T/none.bin"
has "neither 64 hex digits nor a did:key" "$T/err"
run 2 -d "$D" wallet export --out "$T/none.bin"
run 2 -d "$D" wallet import

say "present: every award not revoked, no data folder needed"
cd "$T"
run 0 present --key "$T/ana.key" --from "$T/w.bin" --challenge n-1 --audience "Private School" \
  --out "$T/b.bin"
has "bundle: 3 awards from 1 log" "$T/out"
has "award ${AW[1]} left out: revoked" "$T/err"
[ ! -e "$T/credport-data" ] || die "present created a data folder"
[ "$(stat -c %a "$T/b.bin")" = 644 ] || die "bundle mode $(stat -c %a "$T/b.bin")"
grepq -F "Private School" "$T/b.bin" || die "the audience is not in the bundle"

say "present: one award, armoured"
run 0 present --key "$T/ana.key" --from "$T/w.bin" --award "${AW[3]}" --challenge n-2 \
  --audience "Private School" --out "$T/b.asc" --armor
has "bundle: 1 award from 1 log" "$T/out"
head -n 1 "$T/b.asc" | grepq -x -- "-----BEGIN CREDPORT BUNDLE-----" || die "no armour header"
tail -n 1 "$T/b.asc" | grepq -x -- "-----END CREDPORT BUNDLE-----" || die "no armour footer"
# A bundle is no wallet: present refuses to take one as its source.
run 1 present --key "$T/ana.key" --from "$T/b.asc" --challenge n --audience a --out "$T/x.bin"
has "the input is a bundle, not a wallet" "$T/err"
# The same choice and challenge give the same bundle, binary or armoured.
run 0 present --key "$T/ana.key" --from "$T/w.bin" --award "${AW[3]}" --challenge n-2 \
  --audience "Private School" --out "$T/b1.bin"
sed '1d;$d' "$T/b.asc" | sed '$d' | tr -d '\n' | base64 -d | cmp -s - "$T/b1.bin" ||
  die "the armour does not hold the binary bundle"

say "present refusals: nothing written"
run 1 present --key "$T/ana.key" --from "$T/w.bin" --award "${AW[1]}" --challenge n --audience a \
  --out "$T/x.bin"
has "award ${AW[1]} is revoked" "$T/err"
run 1 present --key "$T/ana.key" --from "$T/w.bin" --award "$BENAW" --challenge n --audience a \
  --out "$T/x.bin"
has "award $BENAW is not in the wallet" "$T/err"
run 1 present --key "$T/ben.key" --from "$T/w.bin" --challenge n --audience a --out "$T/x.bin"
has "the key is not the educator of the wallet's awards" "$T/err"
head -c 1000 "$T/w.bin" >"$T/w.cut"
run 1 present --key "$T/ana.key" --from "$T/w.cut" --challenge n --audience a --out "$T/x.bin"
has "is not a valid wallet: log\[0\]\.nentries at byte [0-9]*: 7 entries cannot fit" "$T/err"
# Container version 2 (revocation leaves per log); the form before it is refused.
[ "$(od -An -tu1 -j8 -N1 "$T/w.bin" | tr -d ' ')" = 2 ] || die "the wallet is not version 2"
{ head -c 8 "$T/w.bin"; printf '\001'; tail -c +10 "$T/w.bin"; } >"$T/w.v1"
run 1 present --key "$T/ana.key" --from "$T/w.v1" --challenge n --audience a --out "$T/x.bin"
has "version at byte 8: version 1, only 2 is known" "$T/err"
{ cat "$T/w.bin"; printf 'x'; } >"$T/w.long"
run 1 present --key "$T/ana.key" --from "$T/w.long" --challenge n --audience a --out "$T/x.bin"
has "1 unexpected bytes after the last field" "$T/err"
run 2 present --key "$T/ana.key" --from "$T/w.bin" --award zz --challenge n --audience a \
  --out "$T/x.bin"
run 2 present --key "$T/ana.key" --from "$T/w.bin" --audience a --out "$T/x.bin"
run 1 present --key "$T/ana.key" --from "$T/w.bin" --challenge "$(printf 'n%.0s' {1..257})" \
  --audience a --out "$T/x.bin"
has "challenge must be 1 to 256 bytes" "$T/err"
run 1 present --key "$T/missing.key" --from "$T/w.bin" --challenge n --audience a --out "$T/x.bin"
[ ! -e "$T/x.bin" ] || die "a refused present wrote its output"
# An existing output is replaced whole, never left half-written.
run 0 present --key "$T/ana.key" --from "$T/w.bin" --challenge n-3 --audience a --out "$T/b.bin"
cmp -s "$T/b.bin" "$T/b1.bin" && die "the output was not replaced"
say "ok"
