#!/usr/bin/env bash
# W3C Bitstring Status List: `export status-list` (JSON with an
# eddsa-jcs-2022 proof, or vc+jwt). The bitstring is decoded here by
# node.js's own zlib and base64url, sharing no code with credport: a
# revoked award's bit (its seq) is set in the next list and no other is;
# the list holds 131,072 entries; the URL is recorded by --status-base.
# Usage: bash cli_statuslist.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: cli_statuslist.sh PATH-TO-CREDPORT}
# shellcheck source=cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"
command -v node >/dev/null || die "node.js is needed (tools/setup installs it)"
URL=https://nc.example/credentials/status/1

# Prints "entries=N set=I,J,..." for a status list file, JSON or JWT.
bits() {
  node -e '
    const fs = require("fs"), zlib = require("zlib");
    let t = fs.readFileSync(process.argv[1], "utf8").trim(), vc;
    if (t[0] === "{") vc = JSON.parse(t);
    else vc = JSON.parse(Buffer.from(t.split(".")[1], "base64url").toString("utf8"));
    const cs = vc.credentialSubject;
    if (vc.id !== process.argv[2] || cs.statusPurpose !== "revocation" ||
        cs.type !== "BitstringStatusList" || !vc.type.includes("BitstringStatusListCredential"))
      throw new Error("not the expected status list: " + t.slice(0, 200));
    if (cs.encodedList[0] !== "u") throw new Error("encodedList lacks the u prefix");
    const b = zlib.gunzipSync(Buffer.from(cs.encodedList.slice(1), "base64url"));
    const set = [];
    for (let i = 0; i < b.length * 8; i++) if (b[i >> 3] & (0x80 >> (i & 7))) set.push(i);
    console.log("entries=" + b.length * 8 + " set=" + set.join(","));
  ' "$1" "$URL"
}

run 0 export status-list --help
has "usage: credport export status-list" "$T/out"
run 0 -d "$D" init --name "NC DPI" --jurisdiction US-NC --role state
run 0 -d "$D" credential define --id c1 --title One --competency one --level 1 --hours 1
E1=$(printf '1%.0s' {1..64})
for i in 1 2 3; do   # seqs 2, 3, 4
  run 0 -d "$D" award --credential c1 --educator "$E1" --earned 2026-01-0$i
  eval "A$i=\$(cat \"\$T/out\")"
done

say "no URL yet: refused, nothing written"
run 1 -d "$D" export status-list --out "$T/l.json"
has "no status list URL yet: give --status-base URL" "$T/err"
[ ! -e "$T/l.json" ] || die "a list was written without a URL"
run 2 -d "$D" export status-list --out "$T/l.json" --status-base "ftp://nc.example/s"
has "is not an http(s) URL" "$T/err"
run 2 -d "$D" export status-list --out "$T/l.json" --status-base "$URL#frag"
run 2 -d "$D" export status-list --status-base "$URL"
has "needs --out FILE" "$T/err"
run 2 -d "$D" export status-list --out "$T/l.json" --format xml
[ ! -e "$T/l.json" ] || die "a list was written after a usage error"

say "nothing revoked: 131,072 clear entries"
run 0 -d "$D" export status-list --out "$T/l0.json" --status-base "$URL"
has "0 revoked awards" "$T/out"
[ "$(bits "$T/l0.json")" = "entries=131072 set=" ] || die "fresh list: $(bits "$T/l0.json")"
has '"type": "DataIntegrityProof"' "$T/l0.json"
has '"cryptosuite": "eddsa-jcs-2022"' "$T/l0.json"

say "revoke the award at seq 3: its bit alone is set in the next list"
run 0 -d "$D" revoke "$A2" --reason "issued in error"
run 0 -d "$D" export status-list --out "$T/l1.json"   # the recorded URL
has "1 revoked award," "$T/out"
[ "$(bits "$T/l1.json")" = "entries=131072 set=3" ] || die "after one revoke: $(bits "$T/l1.json")"
run 0 -d "$D" export status-list --out "$T/l1.jwt" --format jwt
[ "$(bits "$T/l1.jwt")" = "entries=131072 set=3" ] || die "jwt list: $(bits "$T/l1.jwt")"
HDR=$(cut -d. -f1 "$T/l1.jwt" | node -e 'process.stdin.on("data",d=>console.log(Buffer.from(d.toString().trim(),"base64url").toString()))')
[ "$HDR" = "{\"alg\":\"EdDSA\",\"typ\":\"vc+jwt\",\"kid\":\"$(jstr did <("$CP" -d "$D" whoami --json))#$(jstr did <("$CP" -d "$D" whoami --json) | cut -d: -f3)\"}" ] ||
  die "jwt header: $HDR"

say "revoke the award at seq 4 too"
run 0 -d "$D" revoke "$A3" --reason "withdrawn"
run 0 -d "$D" export status-list --out "$T/l2.json"
[ "$(bits "$T/l2.json")" = "entries=131072 set=3,4" ] || die "after two: $(bits "$T/l2.json")"
say "the same ledger gives the same list; --out - writes to standard output"
run 0 -d "$D" export status-list --out -
cmp -s "$T/l2.json" "$T/out" || die "the same ledger gave another list"
run 0 -d "$D" export status-list --out "$T/l2b.jwt" --format jwt
run 0 -d "$D" export status-list --out "$T/l2c.jwt" --format jwt
cmp -s "$T/l2b.jwt" "$T/l2c.jwt" || die "two jwt lists of one ledger differ"
[ -n "$A1" ] || die "no award ID"
