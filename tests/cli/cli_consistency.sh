#!/usr/bin/env bash
# One command line for every command: -d DIR before or after the command;
# unknown commands and options named, with the nearest known name; a
# missing value said as such; "credport:" said once; --help on every
# command and subcommand prints its usage and exits 0, changing nothing.
set -euo pipefail
CP=$1
. "$(dirname "$0")/cli_lib.sh"

run 0 -d "$D" init --name "Consistency" --jurisdiction US-NC --role state
say "-d after the command is the same as before it"
run 0 -d "$D" status --json
cp "$T/out" "$T/before"
run 0 status -d "$D" --json
cmp -s "$T/out" "$T/before" || die "status -d DIR differs from -d DIR status"
run 0 whoami --data="$D" --json
has '"name":"Consistency"' "$T/out"
run 2 status -d
has 'usage error: -d needs a folder' "$T/err"

say "unknown commands and options are named, with the nearest known one"
run 2 -d "$D" statsu
has 'unknown command "statsu"; did you mean "status"?' "$T/err"
run 2 -d "$D" frobnicate
has 'unknown command "frobnicate" (see credport --help)' "$T/err"
lacks 'did you mean' "$T/err"
run 2 -d "$D" serve --listn 127.0.0.1:1
has 'unknown option "--listn"; did you mean "--listen"?' "$T/err"
run 2 -d "$D" award --credential
has 'option --credential needs a value' "$T/err"
run 2 --bogus status
has 'credport: usage error: unknown option "--bogus"' "$T/err"
lacks 'credport credport' "$T/err"

say "--help exits 0 on every command and subcommand, and writes nothing"
before=$(cksum <"$D/ledger/data.mdb")
"$CP" --help >"$T/help"
for cmd in $(sed -n '/^commands:/,$ s/^  \([a-z][a-z0-9-]*\) .*/\1/p' "$T/help"); do
  run 0 -d "$D" "$cmd" --help
  grepq '^usage: ' "$T/out" || die "credport $cmd --help printed no usage"
done
for sc in "peer add" "peer remove" "peer list" "key rotate" "key retire" "witness trust" \
          "witness untrust" "witness list" "credential define" "policy publish" "educator keygen" \
          "clock correct" "prove inclusion" "prove consistency" "prove absence" "bench ledger"; do
  # shellcheck disable=SC2086
  run 0 -d "$D" $sc --help
  grepq 'usage' "$T/out" || die "credport $sc --help printed no usage"
done
[ "$(cksum <"$D/ledger/data.mdb")" = "$before" ] || die "a --help changed the ledger"
say "ok"
