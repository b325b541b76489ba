#!/usr/bin/env bash
# End-to-end checks of the credport command line: init, whoami, keys,
# credential define, single awards, revoke, endorse, approve, log, show,
# key-file safety, audit, every command's --help and --version.
# Usage: bash cli_basic.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: cli_basic.sh PATH-TO-CREDPORT}
# shellcheck source=cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"
export CREDPORT_DATA=$T/nowhere # every command below names its folder

mode() { stat -c %a "$1"; }

say "every command's --help exits 0 and prints its usage"
run 0 --help
has "usage: credport" "$T/out"
for c in init whoami educator credential award revoke endorse approve log show checkpoint \
         prove verify-proof audit demo bench; do
  run 0 "$c" --help
  has "usage: credport" "$T/out"
done
run 2 nosuchcommand

say "--version and version print the version of CMakeLists.txt's project() and exit 0"
want=$(sed -n 's/^project(credport VERSION \([0-9.]*\) .*/\1/p' "$(dirname "$0")/../../CMakeLists.txt")
[ -n "$want" ] || die "no project() version in CMakeLists.txt"
for v in --version -V version; do
  run 0 $v
  [ "$(head -n 1 "$T/out")" = "credport $want" ] || { cat "$T/out"; die "$v: want \"credport $want\""; }
  has "libsodium " "$T/out"
done
run 2 version extra

say "init creates the authority: key file 0600, genesis entry"
run 0 -d "$D" init --name "NC Department of Public Instruction" --jurisdiction US-NC --role state
[ "$(mode "$D/authority.key")" = 600 ] || die "authority.key has mode $(mode "$D/authority.key")"
[ "$(size)" = 1 ] || die "a new log has size $(size)"
cp "$D/authority.key" "$T/key.before"
run 0 -d "$D" whoami --json
cp "$T/out" "$T/who.before"

say "init twice is refused and changes nothing"
run 1 -d "$D" init --name Other --jurisdiction US-SC --role district
has "already" "$T/err"
cmp -s "$D/authority.key" "$T/key.before" || die "the second init changed authority.key"
run 0 -d "$D" whoami --json
cmp -s "$T/out" "$T/who.before" || die "the second init changed the authority"
run 2 -d "$T/other" init --name X --jurisdiction US-SC --role emperor
has "role" "$T/err"
[ ! -e "$T/other/authority.key" ] || die "a refused init left a key behind"

say "whoami --json: public_key, did, origin, vkey"
run 0 -d "$D" whoami --json
PK=$(jstr public_key "$T/out")
DID=$(jstr did "$T/out")
ORIGIN=$(jstr origin "$T/out")
VKEY=$(jstr vkey "$T/out")
[[ $PK =~ ^[0-9a-f]{64}$ ]] || die "public_key \"$PK\" is not 64 hex digits"
[[ $DID =~ ^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]{44}$ ]] || die "did \"$DID\" is not an Ed25519 did:key"
[ "$ORIGIN" = "credport/us-nc/${PK:0:16}" ] || die "default origin \"$ORIGIN\""
[[ $VKEY =~ ^[^+]+\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$ ]] || die "vkey \"$VKEY\" is malformed"
[ "${VKEY%%+*}" = "$ORIGIN" ] || die "vkey names \"${VKEY%%+*}\", not the origin"
# Key ID = SHA-256(origin "\n" 0x01 public-key)[:4]; key = base64(0x01 public-key).
PKBIN=$(printf '%s' "$PK" | sed 's/../\\x&/g')
WANTID=$( { printf '%s\n\001' "$ORIGIN"; printf "$PKBIN"; } | sha256sum | cut -c1-8)
[ "$(printf '%s' "$VKEY" | cut -d+ -f2)" = "$WANTID" ] || die "vkey key id is not $WANTID"
WANTKEY=$( { printf '\001'; printf "$PKBIN"; } | base64 -w0)
[ "${VKEY#*+*+}" = "$WANTKEY" ] || die "vkey key is not base64(0x01 || public key)"
has '"name":"NC Department of Public Instruction"' "$T/out"
has '"role":"state"' "$T/out"

say "educator keygen: mode 0600, never overwrites"
run 0 educator keygen --out "$T/ana.key"
ANA=$(cat "$T/out")
[[ $ANA =~ ^[0-9a-f]{64}$ ]] || die "educator keygen printed \"$ANA\""
[ "$(mode "$T/ana.key")" = 600 ] || die "educator key has mode $(mode "$T/ana.key")"
cp "$T/ana.key" "$T/ana.before"
run 1 educator keygen --out "$T/ana.key"
cmp -s "$T/ana.key" "$T/ana.before" || die "keygen overwrote an existing key file"
run 0 educator keygen --out "$T/ben.key" --json
BEN=$(jstr public_key "$T/out")
BENDID=$(jstr did "$T/out")
[[ $BENDID =~ ^did:key:z6Mk ]] || die "educator did \"$BENDID\""

say "credential define, and its refusals naming the option"
run 0 -d "$D" credential define --id mc-1 --title "Checking for Understanding" \
  --competency "Uses exit tickets" --level 2 --hours 10 --area K-6 --qa qa-2024
CRED=$(cat "$T/out")
[[ $CRED =~ ^[0-9a-f]{64}$ ]] || die "credential define printed \"$CRED\""
run 0 -d "$D" credential define --id mc-2 --title "Wait Time" --competency "Waits" \
  --level 1 --hours 7.5 --json
CRED2=$(jstr id "$T/out")
[ "$(size)" = 3 ] || die "size after two definitions is $(size)"
for lv in 0 5 x 22 ""; do
  run 2 -d "$D" credential define --id mc-x --title t --competency c --level "$lv" --hours 1
  has "--level" "$T/err"
done
for h in -1 abc 1.234 1. .5 100001 100000.5 100000.01 99999999999999999999; do
  run 2 -d "$D" credential define --id mc-x --title t --competency c --level 1 --hours "$h"
  has "--hours" "$T/err"
done
run 1 -d "$D" credential define --id mc-1 --title again --competency c --level 1 --hours 1
has "already defined" "$T/err"
same_size 3
run 0 -d "$D" credential define --id mc-max --title t --competency c --level 4 --hours 100000.00
run 0 -d "$D" show "$(cat "$T/out")" --json
has '"hours_x100":10000000' "$T/out"
run 0 -d "$D" credential define --id mc-zero --title t --competency c --level 1 --hours 0
same_size 5

say "award by hex and by did:key"
run 0 -d "$D" award --credential mc-1 --educator "$ANA" --earned 2026-03-14 --assessor "R. Alvarez"
AW1=$(cat "$T/out")
run 0 -d "$D" award --credential mc-2 --educator "$BENDID" --earned 2026-04-02 --json
AW2=$(jstr id "$T/out")
[ "$(size)" = 7 ] || die "size after two awards is $(size)"
run 0 -d "$D" show "$AW2" --json
has "\"educator\":\"$BEN\"" "$T/out"
has '"type":"award"' "$T/out"
has "\"credential\":\"$CRED2\"" "$T/out"

say "award refusals: bad date, unknown credential, bad educator; nothing written"
run 2 -d "$D" award --credential mc-1 --educator "$ANA" --earned 2026-02-30
has "--earned" "$T/err"
run 2 -d "$D" award --credential mc-1 --educator "$ANA" --earned 26-01-01
run 1 -d "$D" award --credential no-such --educator "$ANA" --earned 2026-01-01
has "no-such" "$T/err"
run 2 -d "$D" award --credential mc-1 --educator "${ANA:0:63}" --earned 2026-01-01
has "--educator" "$T/err"
run 2 -d "$D" award --credential mc-1 --educator did:key:z6MkNOTAKEY --earned 2026-01-01
same_size 7

say "revoke, and revoke twice refused"
run 0 -d "$D" revoke "$AW1" --reason "evidence belonged to another educator"
RV=$(cat "$T/out")
run 1 -d "$D" revoke "$AW1" --reason again
has "already revoked" "$T/err"
run 0 -d "$D" log --limit 1
GENESIS=$(awk 'NR == 1 { print $2 }' "$T/out")
run 1 -d "$D" revoke "$GENESIS" --reason "not revocable"
has "is an authority entry, which cannot be revoked" "$T/err"
run 1 -d "$D" revoke "$(printf '%064d' 7)" --reason "no such entry"
same_size 8
run 0 -d "$D" show "$AW1" --json
has '"revoked":true' "$T/out"
has "\"revoked_by\":\"$RV\"" "$T/out"
run 0 -d "$D" show "$AW2" --json
has '"revoked":false' "$T/out"
run 1 -d "$D" show "$(printf '%064d' 7)"

say "endorse and approve"
OTHER=$("$CP" educator keygen --out "$T/other.key")
run 0 -d "$D" endorse --authority "$OTHER" --claim approved-by --note "partner"
run 0 -d "$D" endorse --credential "$CRED" --claim qa:multistate-mc
run 1 -d "$D" endorse --authority "$PK" --claim self-praise
has "itself" "$T/err"
run 2 -d "$D" endorse --claim x
run 0 -d "$D" approve --educator "$ANA" --credential "$CRED" --approved 2026-01-10 \
  --plan-sha256 "$(printf 'ab%.0s' {1..32})" --expires 2026-12-31
APID=$(cat "$T/out")
run 0 -d "$D" show "$APID" --json
has '"type":"approve"' "$T/out"
run 2 -d "$D" approve --educator "$ANA" --credential "$CRED" --approved 2026-13-01 \
  --plan-sha256 "$(printf 'ab%.0s' {1..32})"
same_size 11

say "log --json lists every entry in order"
run 0 -d "$D" log --json
[ "$(grep -o '"seq":[0-9]*' "$T/out" | tr '\n' ' ')" = \
  '"seq":0 "seq":1 "seq":2 "seq":3 "seq":4 "seq":5 "seq":6 "seq":7 "seq":8 "seq":9 "seq":10 ' ] ||
  die "log --json seqs: $(grep -o '"seq":[0-9]*' "$T/out" | tr '\n' ' ')"
[ "$(grep -o '"type":"[a-z]*"' "$T/out" | cut -d'"' -f4 | tr '\n' ' ')" = \
  'authority credential credential credential credential award award revoke endorse endorse approve ' ] ||
  die "log --json types: $(grep -o '"type":"[a-z]*"' "$T/out" | tr '\n' ' ')"
run 0 -d "$D" log --from 3 --limit 2 --json
[ "$(grep -o '"seq":[0-9]*' "$T/out" | tr '\n' ' ')" = '"seq":3 "seq":4 ' ] ||
  die "log --from 3 --limit 2: $(cat "$T/out")"
run 0 -d "$D" log
[ "$(wc -l <"$T/out")" = 11 ] || die "log prints $(wc -l <"$T/out") lines for 11 entries"

say "an unsafe or damaged authority key is refused"
chmod 644 "$D/authority.key"
run 1 -d "$D" credential define --id mc-3 --title t --competency c --level 1 --hours 1
has "chmod" "$T/err"
chmod 600 "$D/authority.key"
cp "$D/authority.key" "$T/key.good"
head -c 40 "$T/key.good" >"$D/authority.key"
run 1 -d "$D" credential define --id mc-3 --title t --competency c --level 1 --hours 1
has "authority key" "$T/err"
: >"$D/authority.key"
run 1 -d "$D" credential define --id mc-3 --title t --competency c --level 1 --hours 1
say "a FIFO at authority.key is refused at once, not waited on"
rm "$D/authority.key"
mkfifo "$D/authority.key"
st=0
timeout 10 "$CP" -d "$D" credential define --id mc-3 --title t --competency c --level 1 \
  --hours 1 >"$T/out" 2>"$T/err" || st=$?
[ "$st" != 124 ] || die "a FIFO at authority.key hung the command (killed after 10 s)"
[ "$st" = 1 ] || { cat "$T/err"; die "a FIFO at authority.key: exit $st, want 1"; }
has "authority.key: not a regular file" "$T/err"
rm "$D/authority.key"
say "a symbolic link at authority.key is refused"
cp "$T/key.good" "$T/key.linked"
chmod 600 "$T/key.linked"
ln -s "$T/key.linked" "$D/authority.key"
run 1 -d "$D" credential define --id mc-3 --title t --competency c --level 1 --hours 1
has "symbolic link" "$T/err"
rm "$D/authority.key"
cp "$T/key.good" "$D/authority.key"
chmod 600 "$D/authority.key"
if [ "$(id -u)" = 0 ] && nobody=$(id -u nobody 2>/dev/null); then
  say "a key file owned by another user is refused, naming its owner"
  chown nobody "$D/authority.key"
  run 1 -d "$D" credential define --id mc-3 --title t --competency c --level 1 --hours 1
  has "owned by uid $nobody" "$T/err"
  chown 0 "$D/authority.key"
elif [ "$(id -u)" != 0 ]; then
  say "a key file owned by another user is refused (as root only: skipped, not root)"
else
  die "running as root but there is no user nobody to own a key file"
fi
same_size 11
run 0 -d "$D" credential define --id mc-3 --title t --competency c --level 1 --hours 1
same_size 12

say "evidence and plan files are recorded by their SHA-256"
printf 'portfolio: lesson video and reflection\n' >"$T/evidence.txt"
printf 'professional learning plan 2026\n' >"$T/plan.txt"
EVSUM=$(sha256sum "$T/evidence.txt" | cut -d' ' -f1)
PLSUM=$(sha256sum "$T/plan.txt" | cut -d' ' -f1)
LIC=$(printf 'cd%.0s' {1..32})
run 2 -d "$D" award --credential mc-1 --educator "$ANA" --earned 2026-05-01 \
  --evidence "$T/evidence.txt" --evidence-sha256 "$EVSUM"
has "not both" "$T/err"
run 1 -d "$D" award --credential mc-1 --educator "$ANA" --earned 2026-05-01 \
  --evidence "$T/no-such-file"
has "--evidence" "$T/err"
run 2 -d "$D" award --credential mc-1 --educator "$ANA" --earned 2026-05-01 \
  --licence-commitment "${LIC:0:63}"
has "--licence-commitment" "$T/err"
run 1 -d "$D" approve --educator "$ANA" --credential "$CRED" --approved 2026-01-10 \
  --plan "$T/no-such-file"
has "--plan" "$T/err"
same_size 12
run 0 -d "$D" award --credential mc-1 --educator "$ANA" --earned 2026-05-01 \
  --evidence "$T/evidence.txt" --licence-commitment "$LIC"
run 0 -d "$D" show "$(cat "$T/out")" --json
has "\"evidence_sha256\":\"$EVSUM\"" "$T/out"
has "\"licence_commitment\":\"$LIC\"" "$T/out"
run 0 -d "$D" approve --educator "$ANA" --credential "$CRED" --approved 2026-01-10 --plan "$T/plan.txt"
run 0 -d "$D" show "$(cat "$T/out")" --json
has "\"plan_sha256\":\"$PLSUM\"" "$T/out"
same_size 14

say "newlines, C1 controls and bidirectional controls are refused in new entries' text"
run 2 -d "$T/evil" init --name $'Evil\nRow' --jurisdiction US-NC --role state
has "authority.name: line feed U+000A at position 5 is not allowed in a new entry" "$T/err"
[ ! -e "$T/evil/authority.key" ] || die "a refused init left a key behind"
run 1 -d "$D" credential define --id mc-9 --title $'Reading \u202egnp.exe' --competency c \
  --level 1 --hours 1
has "credential.title: bidirectional control U+202E at position 9" "$T/err"
run 1 -d "$D" credential define --id mc-9 --title t --competency $'one\u0085two' --level 1 \
  --hours 1
has "credential.competency: C1 control character U+0085 at position 4" "$T/err"
same_size 14
say "multi-line fields keep their lines; human output shows them escaped"
run 0 -d "$D" credential define --id mc-9 --title t --competency $'line one\nline two' \
  --level 1 --hours 1
run 0 -d "$D" show "$(cat "$T/out")"
has 'line one\\nline two' "$T/out"
same_size 15

say "audit is clean"
run 0 -d "$D" audit
has "CLEAN" "$T/out"
run 0 -d "$D" audit --json --threads 1
has '"clean":true' "$T/out"
has '"problems":\[\]' "$T/out"

say "commands on a missing node fail cleanly"
run 1 -d "$T/missing" whoami
run 1 -d "$T/missing" log
echo "cli_basic: all checks passed"
