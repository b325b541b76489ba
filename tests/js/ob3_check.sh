#!/usr/bin/env bash
# Independent verification (ctest js.ob3_independent): credentials exported
# by credport for every award shape (level 1 to 4, with and without
# evidence, whole and fractional hours, endorsed or not) verify with
# verify_vc.mjs, which shares no code with credport (package.json; installed
# by tools/setup with npm ci); one field changed at a time, they do not.
# The checker must first accept the W3C eddsa-jcs-2022 test vector, so a
# checker that accepts nothing or everything fails here.
# Usage: bash ob3_check.sh PATH-TO-CREDPORT PATH-TO-NODE
set -euo pipefail
CP=${1:?usage: ob3_check.sh PATH-TO-CREDPORT PATH-TO-NODE}
NODE=${2:?usage: ob3_check.sh PATH-TO-CREDPORT PATH-TO-NODE}
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
die() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
[ -d "$HERE/node_modules/canonicalize" ] && [ -d "$HERE/node_modules/@noble/ed25519" ] &&
  [ -d "$HERE/node_modules/bs58" ] || die "the check's packages are not installed: run tools/setup"
check() { "$NODE" "$HERE/verify_vc.mjs" "$@" >"$T/js.out" 2>&1 || { cat "$T/js.out"; die "verify_vc.mjs $1"; }; }

check --valid "$HERE/../vectors/vc-di-eddsa/eddsa-jcs-2022/signedJCS.json"
check --invalid "$HERE/../vectors/vc-di-eddsa/unsigned.json"

D=$T/node
"$CP" -d "$D" init --name "NC Department of Public Instruction" --jurisdiction US-NC \
  --role state >/dev/null
"$CP" -d "$T/other" init --name "Multistate QA Board" --jurisdiction US --role assessor >/dev/null
EDU=$("$CP" educator keygen --out "$T/edu.key")
echo evidence >"$T/ev.txt"
n=0
for level in 1 2 3 4; do
  for hours in 10 7.25; do
    id=mc-$level-${hours/./_}
    cred=$("$CP" -d "$D" credential define --id "$id" --title "Level $level, $hours hours" \
      --competency "Competency é \"quoted\" — ✓" --evidence "Evidence rules" --level "$level" \
      --hours "$hours" --area K-6 --qa qa-2024)
    if [ "$hours" = 10 ]; then
      "$CP" -d "$D" endorse --credential "$cred" --claim qa:multistate --note "reviewed" >/dev/null
    fi
    "$CP" -d "$D" award --credential "$id" --educator "$EDU" --earned 2026-03-14 \
      --evidence "$T/ev.txt" >/dev/null
    "$CP" -d "$D" award --credential "$id" --educator "$EDU" --earned 2026-03-15 >/dev/null
    n=$((n + 2))
  done
done
"$CP" -d "$D" export ob3 --educator "$EDU" --out "$T/out" >/dev/null
files=("$T"/out/*.json)
[ "${#files[@]}" = "$n" ] || die "exported ${#files[@]} credentials, want $n"
grep -l '"evidence"' "${files[@]}" >/dev/null || die "no credential carries evidence"
grep -l '"alignment"' "${files[@]}" >/dev/null || die "no credential names an endorsement"
check --valid "${files[@]}"

# One field at a time, in the first credential that has evidence and an endorsement.
f=$(grep -l '"alignment"' $(grep -l '"evidence"' "${files[@]}") | head -n 1)
i=0
for field in '"name":"Level' '"validFrom":"2026' '"awardedDate":"20' '"addressRegion":"N' \
  '"humanCode":"mc' '"creditsAvailable":1' '"narrative":"E' '"targetCode":"q' \
  '"description":"SHA-256' '"created":"20' '"level:' '"id":"did:key:z6Mk' '"id":"urn:uuid:'; do
  grep -q -- "$field" "$f" || die "no $field in $f"
  i=$((i + 1))
  # The character after the matched prefix becomes "Z" (or "Y" if it was "Z").
  awk -v pat="$field" 'BEGIN { done = 0 }
    !done && (p = index($0, pat)) {
      c = substr($0, p + length(pat), 1); r = (c == "Z") ? "Y" : "Z"
      $0 = substr($0, 1, p + length(pat) - 1) r substr($0, p + length(pat) + 1); done = 1 }
    { print }' "$f" >"$T/tampered-$i.json"
  cmp -s "$f" "$T/tampered-$i.json" && die "tampering $field changed nothing"
done
check --invalid "$T"/tampered-*.json
echo "ok: $n credentials verified independently, $i tampered copies refused"
