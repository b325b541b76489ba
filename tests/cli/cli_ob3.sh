#!/usr/bin/env bash
# Open Badges 3.0 export and verify-vc (docs/FORMATS.md, "Open Badges 3.0
# export"): export of an award, byte-identical when repeated; the
# --educator folder export leaving revoked awards out; refusals (a revoked
# award, an entry that is not an award, another node's award naming its
# issuer, a rotated log key); verify-vc's exit statuses 0/1/2 for a valid,
# a tampered and a malformed or hostile file (huge, deep, duplicate
# members, a FIFO).
# Usage: bash cli_ob3.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: cli_ob3.sh PATH-TO-CREDPORT}
# shellcheck source=cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"

run 0 -d "$D" init --name "NC Department of Public Instruction" --jurisdiction US-NC --role state
run 0 -d "$D" whoami --json
AKEY=$(jstr public_key "$T/out")
ADID=$(jstr did "$T/out")
run 0 educator keygen --out "$T/ana.key" --json
ANA=$(jstr public_key "$T/out")
ANADID=$(jstr did "$T/out")
run 0 -d "$D" credential define --id mc-1 --title "Checking for Understanding" \
  --competency "Uses exit tickets" --evidence "Three lesson videos" --level 2 --hours 7.25
CRED=$(cat "$T/out")
run 0 -d "$D" endorse --credential "$CRED" --claim qa:multistate-mc --note reviewed
echo "lesson video" >"$T/ev.txt"
run 0 -d "$D" award --credential mc-1 --educator "$ANA" --earned 2026-03-14 --evidence "$T/ev.txt"
AW1=$(cat "$T/out")
run 0 -d "$D" award --credential mc-1 --educator "$ANADID" --earned 2026-04-01
AW2=$(cat "$T/out")
run 0 -d "$D" award --credential mc-1 --educator "$ANA" --earned 2026-04-02
AW3=$(cat "$T/out")
run 0 -d "$D" revoke "$AW3" --reason "entered twice"

say "export ob3: a credential that verify-vc accepts, the same bytes every time"
run 0 -d "$D" export ob3 "$AW1" --out "$T/c1.json"
[ ! -s "$T/out" ] || die "export --out wrote to stdout"
run 0 -d "$D" export ob3 "$AW1" --format json
cmp -s "$T/out" "$T/c1.json" || die "a second export differs from the first"
[ "$(wc -l <"$T/c1.json")" = 1 ] || die "the export is not one canonical line"
has "\"id\":\"$ADID\"" "$T/c1.json"
has "\"id\":\"$ANADID\"" "$T/c1.json"
has '"cryptosuite":"eddsa-jcs-2022"' "$T/c1.json"
has '"achievementType":"MicroCredential"' "$T/c1.json"
has '"ni:///sha-256;' "$T/c1.json"
has '"creditsAvailable":7.25' "$T/c1.json"
has '"validFrom":"2026-03-14T00:00:00Z"' "$T/c1.json"
run 0 verify-vc "$T/c1.json"
has "ok: urn:uuid:" "$T/out"
has "$ADID" "$T/out"
run 0 verify-vc "$T/c1.json" --json
has '"valid":true' "$T/out"

say "export ob3 --educator: one file per award, revoked ones left out"
run 0 -d "$D" export ob3 --educator "$ANADID" --out "$T/ana"
has "exported 2 credentials" "$T/out"
has "1 revoked award left out" "$T/out"
[ -f "$T/ana/$AW1.json" ] && [ -f "$T/ana/$AW2.json" ] && [ ! -e "$T/ana/$AW3.json" ] ||
  die "folder holds $(ls "$T/ana")"
cmp -s "$T/ana/$AW1.json" "$T/c1.json" || die "the folder's copy of $AW1 differs"
run 0 verify-vc "$T/ana/$AW2.json"
lacks '"evidence"' "$T/ana/$AW2.json"

say "refusals: revoked award, not an award, bad arguments"
run 1 -d "$D" export ob3 "$AW3"
has "revoked" "$T/err"
has "entered twice" "$T/err"
run 1 -d "$D" export ob3 "$CRED"
has "not an award" "$T/err"
run 1 -d "$D" export ob3 "$(printf '%064d' 5)"
has "no entry" "$T/err"
run 2 -d "$D" export ob3 "$AW1" --format yaml
has "--format" "$T/err"
run 2 -d "$D" export ob3 nothex
run 2 -d "$D" export ob3 --educator "$ANA"
has "--out" "$T/err"
run 2 -d "$D" export nothing
run 2 -d "$D" export

say "verify-vc: a changed field is refused as not valid (exit 1)"
sed 's/"Checking for Understanding"/"Checking for Understandinh"/' "$T/c1.json" >"$T/t1.json"
run 1 verify-vc "$T/t1.json"
has "NOT valid" "$T/err"
has "does not verify" "$T/err"
sed "s/$ANADID/did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK/" "$T/c1.json" >"$T/t2.json"
run 1 verify-vc "$T/t2.json" --json
has '"valid":false' "$T/out"

say "verify-vc: malformed and hostile files are refused (exit 2), never waited on"
head -c 200 "$T/c1.json" >"$T/trunc.json"
run 2 verify-vc "$T/trunc.json"
has "malformed" "$T/err"
sed 's/"name":/"name":"x","name":/' "$T/c1.json" >"$T/dup.json"
run 2 verify-vc "$T/dup.json"
has "duplicate" "$T/err"
{ printf '{"a":"'; head -c 300000 /dev/zero | tr '\0' a; printf '"}'; } >"$T/huge.json"
run 2 verify-vc "$T/huge.json"
has "at most" "$T/err"
{ head -c 5000 /dev/zero | tr '\0' '['; } >"$T/deep.json"
run 2 verify-vc "$T/deep.json"
has "deeper" "$T/err"
mkfifo "$T/fifo"
run 2 verify-vc "$T/fifo"
has "not a regular file" "$T/err"
run 2 verify-vc "$T/missing.json"

say "another node holding the award refuses to export it, naming the issuer"
B=$T/b
run 0 -d "$B" init --name "Wyoming PTSB" --jurisdiction US-WY --role state
run 0 -d "$B" whoami --json
BKEY=$(jstr public_key "$T/out")
run 0 -d "$B" peer add --accept "$AKEY"
for try in 1 2 3 4 5 6 7 8 9 10; do
  PORT=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
  "$CP" -d "$B" serve --listen "127.0.0.1:$PORT" >/dev/null 2>"$T/b.log" &
  BPID=$!
  for _ in $(seq 1 200); do
    grep -q 'event=listening' "$T/b.log" && break
    kill -0 "$BPID" 2>/dev/null || break
    sleep 0.05
  done
  grep -q 'event=listening' "$T/b.log" && break
  wait "$BPID" 2>/dev/null || true
done
run 0 -d "$D" sync "127.0.0.1:$PORT" "$BKEY"
kill -TERM "$BPID"
wait "$BPID" || die "serve on B exited $?"
run 1 -d "$B" export ob3 "$AW1"
has "issued by NC Department of Public Instruction ($ADID)" "$T/err"
has "only that authority's node" "$T/err"
run 0 -d "$B" export ob3 --educator "$ANA" --out "$T/b-ana"
has "exported 0 credentials" "$T/out"

say "a rotated log key no longer exports"
cp -a "$D" "$T/rot"
run 0 -d "$T/rot" key rotate
run 1 -d "$T/rot" export ob3 "$AW1"
has "rotated" "$T/err"
say "ok"
