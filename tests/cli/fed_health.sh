#!/usr/bin/env bash
# `credport health`, as a monitoring system runs it against a node:
#  1. before serve runs: CRITICAL (exit 2), the serve check saying so;
#  2. serving with its one partner connected and synced: OK (exit 0), the
#     first line "CREDPORT OK - 7 checks pass | perfdata", --json agreeing;
#  3. the partner stopped: CRITICAL, "0 of 1 partner connected", and the sync
#     check WARNING once its last sync is older than --sync-warn;
#  4. the map nearly full (map-size just above what is used): map CRITICAL;
#  5. usage errors exit 3 (UNKNOWN), not 2 (which means CRITICAL); so does a
#     folder with no node.
# Usage: bash fed_health.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_health.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"

# health NAME [ARGS...]: runs health on node NAME, output in $T/h, exit status in $HS.
health() {
  local n=$1
  shift
  HS=0
  "$CP" -d "${D[$n]}" health "$@" >"$T/h" 2>"$T/h.err" || HS=$?
}
# health_is NAME WANT [ARGS...]: health exits WANT (for wait_for).
health_is() {
  local n=$1 want=$2
  shift 2
  health "$n" "$@"
  [ "$HS" = "$want" ]
}
check_line() { # NAME LEVEL TEXT: the check's line says LEVEL and TEXT
  grepq "^$1 *$2 .*$3" "$T/h" || { cat "$T/h" >&2; die "health: no \"$1 $2 ... $3\" line"; }
}

node_init A
node_init B

say "1. no serve yet: CRITICAL"
health A
[ "$HS" = 2 ] || { cat "$T/h" >&2; die "health exited $HS without serve, want 2"; }
grepq '^CREDPORT CRITICAL - serve: no serve is running' "$T/h" || { cat "$T/h" >&2; die "first line"; }
check_line serve CRITICAL "no serve is running"

say "2. serving, its partner connected and synced: OK"
"$CP" -d "${D[B]}" peer add --accept "${KEY[A]}" >/dev/null
start_node B
"$CP" -d "${D[A]}" peer add "127.0.0.1:${PORT[B]}" "${KEY[B]}" >/dev/null
start_node A
wait_for 20 health_is A 0 || { cat "$T/h" >&2; die "health of A never became OK"; }
grepq '^CREDPORT OK - 7 checks pass | partners_connected=1;;;0;1 ' "$T/h" || { cat "$T/h" >&2; die "OK line"; }
check_line serve OK "serve is running (PID ${PID[A]})"
check_line partners OK "1 of 1 partner connected"
check_line sync OK "every partner synced"
check_line forks OK "no fork found"
# The human status counts the live session's entries and says it is in sync
# (before: "LAST SYNC never ... ENTRIES IN 0" while entries had arrived).
"$CP" -d "${D[A]}" status >"$T/st" || die "status exited non-zero"
row=$(grep "^${KEY[B]:0:16}" "$T/st") || { cat "$T/st" >&2; die "no row for partner B"; }
[[ $row =~ yes\ +in\ sync\ now\ +([0-9]+) ]] || die "B's row is not live and in sync: $row"
[ "${BASH_REMATCH[1]}" -ge 1 ] || die "B's row counts no entries in: $row"
health A --json
[ "$HS" = 0 ] || die "health --json exited $HS"
grepq '"status":"OK","exit":0' "$T/h" || { cat "$T/h" >&2; die "--json status"; }
grepq '"connected":1' "$T/h" || { cat "$T/h" >&2; die "--json connected"; }

say "3. the partner stopped: CRITICAL, and the sync ages"
stop_node B
wait_for 20 health_is A 2 || { cat "$T/h" >&2; die "health of A never became CRITICAL"; }
check_line partners CRITICAL "0 of 1 partner connected"
sleep 2
health A --sync-warn 1s --sync-crit 1h
check_line sync WARNING "last synced [0-9]* s ago (limit 1 s)"
health A --sync-warn 1s --sync-crit 1s
check_line sync CRITICAL "last synced [0-9]* s ago (limit 1 s)"
stop_node A

say "4. the map nearly full: map CRITICAL"
health A --json
used=$(sed -n 's/.*"map_used_bytes":\([0-9]*\).*/\1/p' "$T/h")
[ -n "$used" ] && [ "$used" -gt 0 ] || die "no map_used_bytes in --json"
"$CP" -d "${D[A]}" map-size $((used + used / 50)) >/dev/null
health A
check_line map CRITICAL "of the ledger's map size in use.*raise it with credport map-size"
"$CP" -d "${D[A]}" map-size 1G >/dev/null
health A
check_line map OK "of the ledger's map size in use"

say "5. usage errors and a folder with no node: exit 3 (UNKNOWN)"
for args in "--disk-warn 101" "--sync-warn soon" "--sync-warn 1h --sync-crit 1m" "--bogus" "extra"; do
  # shellcheck disable=SC2086
  health A $args
  [ "$HS" = 3 ] || die "health $args exited $HS, want 3"
done
HS=0
"$CP" -d "$T/nothing" health >"$T/h" 2>/dev/null || HS=$?
[ "$HS" = 3 ] || die "health of a folder with no node exited $HS, want 3"
grepq '^CREDPORT UNKNOWN - ' "$T/h" || die "no UNKNOWN line for a folder with no node"
say "ok"
