#!/usr/bin/env bash
# init --jurisdiction is checked against ISO 3166 before anything is
# written: a US state is US-NC; NC alone is New Caledonia, refused unless
# --country confirms it; unknown countries and subdivisions are refused by
# name; codes are capitals. A refused init leaves no key and no ledger.
set -euo pipefail
CP=$1
. "$(dirname "$0")/cli_lib.sh"

refused() { # CODE TEXT...: init with CODE exits 2 saying each TEXT, writes nothing
  local code=$1 dir=$T/r$RANDOM
  shift
  run 2 -d "$dir" init --name "Node" --jurisdiction "$code" --role state
  for t in "$@"; do has "$t" "$T/err"; done
  has "nothing written" "$T/err"
  [ ! -e "$dir/authority.key" ] && [ ! -e "$dir/ledger" ] || die "a refused init ($code) wrote files"
}
accepted() { # CODE [OPTION]: init succeeds and the genesis entry says CODE
  local dir=$T/a$RANDOM
  run 0 -d "$dir" init --name "Node" --jurisdiction "$1" --role state ${2:+"$2"}
  run 0 -d "$dir" whoami --json
  has "\"jurisdiction\":\"$1\"" "$T/out"
}

say "a US state is US-XX; a country alone is its ISO 3166-1 code"
accepted US-NC
accepted US-WY
accepted US
accepted NZ
say "NC alone is New Caledonia: refused, naming both, unless --country"
refused NC "NC is New Caledonia" "not North Carolina" "--jurisdiction US-NC" "--country"
refused CA "CA is Canada" "not California" "US-CA"
accepted NC --country
say "unknown codes, wrong case and malformed ones are refused"
refused US-XX '"US-XX" is not an ISO 3166-2 subdivision of United States'
refused ZZ '"ZZ" is not an ISO 3166-1 country code'
refused us-nc 'written in capitals'
refused USA 'is not an ISO 3166 code'
refused US-NCX 'is not an ISO 3166-2 subdivision'
say "ok"
