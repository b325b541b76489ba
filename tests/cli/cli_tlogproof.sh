#!/usr/bin/env bash
# Transparency-log tooling: `prove inclusion --format tlog-proof` and
# `checkpoint --size N`.
#  1. A tlog-proof file round-trips through verify-proof (given the entry's
#     bytes from `show --raw`), has the layout of tests/vectors/tlog/
#     entry.5.tlog-proof (same lines, order and encoding; checked by the same
#     function on both files) and carries the latest checkpoint verbatim.
#  2. A tampered file (hash, index, checkpoint) is refused; a truncated one
#     is malformed; another entry's bytes do not verify.
#  3. `checkpoint --size N` prints the checkpoint stored at N, which verifies;
#     at a size with none it fails, naming the sizes held.
# Usage: bash cli_tlogproof.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: cli_tlogproof.sh PATH-TO-CREDPORT}
VEC=$(cd "$(dirname "$0")/../vectors/tlog" && pwd)
# shellcheck source=cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"

# layout FILE: the tlog-proof layout (c2sp.org/tlog-proof@v1): the header, an
# optional "extra <base64>", "index N" (decimal, no leading zero), 44-char
# standard base64 hashes one per line, one blank line, then a signed note:
# origin, size, base64 root, a blank line, "— " signature lines.
layout() {
  awk '
    function b64h(s) { return length(s) == 44 && s ~ /^[A-Za-z0-9+\/]+=$/ }
    function fail(why) { printf "%s line %d: %s\n", FILENAME, NR, why; bad = 1; exit 1 }
    NR == 1 { if ($0 != "c2sp.org/tlog-proof@v1") fail("header"); st = "extra"; next }
    st == "extra" && /^extra [A-Za-z0-9+\/]+=*$/ { st = "index"; next }
    st == "extra" || st == "index" {
      if ($0 !~ /^index (0|[1-9][0-9]*)$/) fail("index"); st = "hash"; next }
    st == "hash" && $0 == "" { st = "origin"; next }
    st == "hash" { if (!b64h($0)) fail("hash"); next }
    st == "origin" { if ($0 == "" || $0 ~ /[ +]/) fail("origin"); st = "size"; next }
    st == "size" { if ($0 !~ /^[1-9][0-9]*$/) fail("size"); st = "root"; next }
    st == "root" { if (!b64h($0)) fail("root"); st = "blank"; next }
    st == "blank" { if ($0 != "") fail("blank before signatures"); st = "sig"; next }
    st == "sig" { if ($0 !~ /^— [^ ]+ [A-Za-z0-9+\/]+=*$/) fail("signature"); sigs++ }
    END { if (!bad && (st != "sig" || sigs < 1)) { printf "%s: truncated\n", FILENAME; exit 1 } }
  ' "$1"
}

say "the layout check accepts the vector and refuses a wrong line"
layout "$VEC/entry.5.tlog-proof" || die "the vector does not pass the layout check"
sed 's/^index 5$/index 05/' "$VEC/entry.5.tlog-proof" >"$T/bad.tlog"
if layout "$T/bad.tlog" >/dev/null; then die "the layout check took a leading zero"; fi

run 0 -d "$D" init --name "NC" --jurisdiction US-NC --role state
run 0 -d "$D" credential define --id c1 --title One --competency one --level 1 --hours 1
run 0 educator keygen --out "$T/edu.key"
EDU=$(cat "$T/out")
for day in 01 02 03 04 05; do
  run 0 -d "$D" award --credential c1 --educator "$EDU" --earned "2026-02-$day" --json
  IDS+=("$(jstr id "$T/out")")
done
ID=${IDS[1]} # seq 3
run 0 -d "$D" whoami --json
VKEY=$(jstr vkey "$T/out")
run 0 -d "$D" show "$ID" --raw
cp "$T/out" "$T/leaf.bin"
[ "$(head -c 1 "$T/leaf.bin" | od -An -tu1 | tr -d ' ')" = 1 ] || die "show --raw: not entry bytes"

say "prove inclusion --format tlog-proof: layout, latest checkpoint verbatim, round trip"
run 0 -d "$D" prove inclusion "$ID" --format tlog-proof
cp "$T/out" "$T/p.tlog"
layout "$T/p.tlog" || die "tlog-proof layout: $(cat "$T/p.tlog")"
sed -n 2p "$T/p.tlog" | grep -qx "index 3" || die "index is not the entry's seq"
run 0 -d "$D" checkpoint
cp "$T/out" "$T/latest.cp"
n=$(wc -l <"$T/latest.cp")
tail -n "$n" "$T/p.tlog" | cmp -s - "$T/latest.cp" || die "the checkpoint is not the latest, verbatim"
run 0 verify-proof "$T/p.tlog" --leaf-data "$T/leaf.bin" --vkey "$VKEY"
has "leaf 3 is included" "$T/out"

say "tampered files are refused"
lines=$(wc -l <"$T/p.tlog")
sed '3{s/^A/#/;s/^[^#]/A/;s/^#/B/}' "$T/p.tlog" >"$T/t1.tlog"
cmp -s "$T/t1.tlog" "$T/p.tlog" && die "the tamper did not change the file"
run 1 verify-proof "$T/t1.tlog" --leaf-data "$T/leaf.bin" --vkey "$VKEY"
sed '2s/.*/index 2/' "$T/p.tlog" >"$T/t2.tlog"
run 1 verify-proof "$T/t2.tlog" --leaf-data "$T/leaf.bin" --vkey "$VKEY"
root_line=$((lines - n + 3))
sed "${root_line}{s/^A/#/;s/^[^#]/A/;s/^#/B/}" "$T/p.tlog" >"$T/t3.tlog"
cmp -s "$T/t3.tlog" "$T/p.tlog" && die "the root tamper did not change the file"
run 1 verify-proof "$T/t3.tlog" --leaf-data "$T/leaf.bin" --vkey "$VKEY"
head -n 4 "$T/p.tlog" >"$T/t4.tlog"
run 2 verify-proof "$T/t4.tlog" --leaf-data "$T/leaf.bin" --vkey "$VKEY"
has "truncated" "$T/err"
run 0 -d "$D" show "${IDS[2]}" --raw
cp "$T/out" "$T/other.bin"
run 1 verify-proof "$T/p.tlog" --leaf-data "$T/other.bin" --vkey "$VKEY"

say "checkpoint --size N: the stored one, or an error naming the sizes held"
run 0 -d "$D" checkpoint --size 4
cp "$T/out" "$T/cp4.txt"
sed -n 2p "$T/cp4.txt" | grep -qx 4 || die "checkpoint --size 4 printed size $(sed -n 2p "$T/cp4.txt")"
run 0 -d "$D" prove inclusion "$ID" --size 4 --json
cp "$T/out" "$T/p4.json"
run 0 verify-proof "$T/p4.json" --checkpoint "$T/cp4.txt" --vkey "$VKEY"
run 0 -d "$D" prove inclusion "$ID" --format tlog-proof --size 4
cp "$T/out" "$T/p4.tlog"
layout "$T/p4.tlog" || die "tlog-proof --size 4 layout"
n4=$(wc -l <"$T/cp4.txt")
tail -n "$n4" "$T/p4.tlog" | cmp -s - "$T/cp4.txt" || die "tlog-proof --size 4 is not on the checkpoint at 4"
run 0 verify-proof "$T/p4.tlog" --leaf-data "$T/leaf.bin" --vkey "$VKEY"
SAME_SIZE_WHY="checkpoint --size signed something"
run 1 -d "$D" checkpoint --size 99
has "no checkpoint at size 99" "$T/err"
has "held: 1, 2, 3, 4, 5, 6, 7" "$T/err"
same_size 7
run 0 -d "$D" checkpoint
cmp -s "$T/out" "$T/latest.cp" || die "checkpoint --size changed the latest checkpoint"
run 2 -d "$D" prove inclusion "$ID" --format tlog-proof --size 3
has "must be a number from 4 to 7" "$T/err" # the entry at seq 3 is not in the tree of size 3
{
  echo "credential,educator,earned,assessor,evidence_sha256"
  for day in 06 07 08; do echo "c1,$EDU,2026-02-$day,A. Assessor,"; done
} >"$T/awards.csv"
run 0 -d "$D" award --csv "$T/awards.csv"
run 1 -d "$D" prove inclusion "$ID" --format tlog-proof --size 9
has "no checkpoint at size 9" "$T/err" # one commit of three awards: sizes 8, 9 unsigned
has "held: 1, 2, 3, 4, 5, 6, 7, 10" "$T/err"
run 2 -d "$D" checkpoint --size 0
run 2 -d "$D" prove inclusion "$ID" --format xml
run 2 -d "$D" prove consistency --from 1 --format tlog-proof
say "ok"
