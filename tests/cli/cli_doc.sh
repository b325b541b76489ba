#!/usr/bin/env bash
# docs/CLI.md stays true to the program: every command `credport --help`
# lists has a section (a heading `credport COMMAND`), and every --json member
# the document lists for status, whoami, show, log, health and peer list
# appears in that command's real output on a new ledger; for whoami and
# health, every member of the real output is also in the document. A member
# whose type column says "optional" is only looked for in the document.
set -euo pipefail
CP=$1
. "$(dirname "$0")/cli_lib.sh"
DOC=$(dirname "$0")/../../docs/CLI.md
[ -f "$DOC" ] || die "no docs/CLI.md"

# The table rows of one command's section (from its ### heading to the
# next heading), optional rows left out unless $2 is "all".
rows() {
  awk -v h="### \`credport $1\`" -v all="${2:-}" '
    index($0, h) == 1 { on = 1; next }
    on && /^#/ { on = 0 }
    on && /^\| `/ {
      split($0, cell, "|")
      if (all != "all" && cell[3] ~ /optional/) next
      print cell[2]
    }' "$DOC"
}
# Member names of those rows: each backticked path's last part
# (`peers[].last_sync` -> last_sync), or every part with "all".
names() {
  rows "$1" "${2:-}" | grep -o '`[^`]*`' | tr -d '`' |
    if [ "${2:-}" = all ]; then tr '.' '\n'; else sed 's/.*\.//'; fi |
    sed 's/\[\]//g' | grep -v '^$' | sort -u
}
# Member names in JSON output files.
keys() { cat "$@" | grep -o '"[A-Za-z0-9_]*":' | tr -d '":' | sort -u; }
# Every name documented for command $1 is among the keys of files $2...
doc_in_output() {
  local cmd=$1 n miss=""
  shift
  [ -n "$(names "$cmd")" ] || die "docs/CLI.md lists no --json member for $cmd"
  for n in $(names "$cmd"); do
    keys "$@" | grep -qx "$n" || miss="$miss $n"
  done
  [ -z "$miss" ] || die "docs/CLI.md lists members that $cmd --json does not print:$miss"
}
# Every key of files $2... is documented for command $1.
output_in_doc() {
  local cmd=$1 n miss=""
  shift
  for n in $(keys "$@"); do
    names "$cmd" all | grep -qx "$n" || miss="$miss $n"
  done
  [ -z "$miss" ] || die "$cmd --json prints members docs/CLI.md does not list:$miss"
}

say "every command of credport --help has a section"
run 0 --help
CMDS=$(sed -n '/^commands:/,$p' "$T/out" | awk 'NR > 1 && NF { print $1 }')
[ "$(echo "$CMDS" | wc -l)" -ge 30 ] || die "credport --help lists too few commands: $CMDS"
for c in $CMDS; do
  grep -q "^##* \`credport $c[\` ]" "$DOC" || die "docs/CLI.md has no section for \"$c\""
done

say "a new ledger: a credential, awards, a revocation, endorsements, approval, areas, a policy, a recognition, a partner"
run 0 -d "$T/b" init --name "Wyoming PTSB" --jurisdiction US-WY --role state
run 0 -d "$T/b" whoami --json
BK=$(jstr public_key "$T/out")
run 0 -d "$D" init --name "North Carolina DPI" --jurisdiction US-NC --role state
run 0 -d "$D" credential define --id mc-1 --title "Formative Assessment" --competency x \
  --level 2 --hours 15
CRED=$(tail -n 1 "$T/out")
EDU=$(printf '%064x' 7)
run 0 -d "$D" award --credential mc-1 --educator "$EDU" --earned 2025-03-01
run 0 -d "$D" award --credential mc-1 --educator "$EDU" --earned 2025-04-01
run 0 -d "$D" revoke "$(tail -n 1 "$T/out")" --reason "awarded in error"
run 0 -d "$D" endorse --authority "$BK" --claim qa:multistate-mc
run 0 -d "$D" endorse --credential "$CRED" --claim approved-by --from 2025-01-01 --until 2027-06-30
run 0 -d "$D" approve --educator "$EDU" --credential "$CRED" --from 2025-01-01 --until 2027-06-30 \
  --plan-sha256 "$(printf '%064x' 9)"
run 0 -d "$D" attest-areas --educator "$EDU" --areas math --from 2025-01-01 --until 2030-06-30
run 0 -d "$D" policy publish "$(dirname "$0")/../../examples/policies/kettle-moraine.json"
run 0 -d "$D" recognize --educator "$EDU" --policy kmsd-base-salary --as-of 2025-06-30 --record
run 0 -d "$D" key rotate
run 0 -d "$D" peer add 127.0.0.1:9 "$BK"

say "whoami --json: the documented members, and no others"
run 0 -d "$D" whoami --json
cp "$T/out" "$T/whoami.json"
doc_in_output whoami "$T/whoami.json"
output_in_doc whoami "$T/whoami.json"

say "health --json: the documented members, and no others"
run 2 -d "$D" health --json # no serve runs: CRITICAL
cp "$T/out" "$T/health.json"
doc_in_output health "$T/health.json"
output_in_doc health "$T/health.json"

say "status, peer list, log and show --json print every member documented"
run 0 -d "$D" status --json
cp "$T/out" "$T/status.json"
doc_in_output status "$T/status.json"
run 0 -d "$D" peer list --json
cp "$T/out" "$T/peers.json"
doc_in_output "peer" "$T/peers.json"
run 0 -d "$D" log --json
cp "$T/out" "$T/log.json"
doc_in_output log "$T/log.json"
IDS=$(grep -o '"id":"[0-9a-f]\{64\}"' "$T/log.json" | cut -d'"' -f4)
[ "$(echo "$IDS" | wc -l)" = 12 ] || die "expected 12 entries in the log, got: $IDS"
for id in $IDS; do
  run 0 -d "$D" show "$id" --json
  cp "$T/out" "$T/show.$id.json"
done
doc_in_output show "$T"/show.*.json

say "the checks fail on a member the document invents or leaves out"
printf '### `credport fake`\n\n| member | type | meaning |\n|---|---|---|\n| `nowhere` | string | x |\n' \
  >"$T/fake.md"
DOC_SAVED=$DOC
DOC=$T/fake.md
if (doc_in_output fake "$T/whoami.json") 2>/dev/null; then die "an invented member passed"; fi
if (output_in_doc fake "$T/whoami.json") 2>/dev/null; then die "an undocumented member passed"; fi
DOC=$DOC_SAVED
say "ok"
