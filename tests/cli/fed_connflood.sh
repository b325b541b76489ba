#!/usr/bin/env bash
# Federation: a connection flood by a stranger does not lock partners out and
# does not flood the log. While evilpeer holds 48 connections from one source
# address (127.0.0.2), each having sent one byte, then 60 connections from
# six addresses (127.0.0.2-7, enough to fill the handshake table), then 64
# from 64 addresses (127.0.0.2-65: every newcomer evicts the oldest stranger,
# at most 64 a second), an allowed partner's one-shot syncs all succeed (10
# of 10 in each phase; the node restarts before each phase, so the first
# sync comes from an address it does not know; the later ones use the
# reserve for addresses that authenticated before); the node's
# log stays small and names the flooding sources with a count in aggregated
# summary lines.
# Usage: bash fed_connflood.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_connflood.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"
find_evilpeer

node_init V US-NC
node_init P US-WY
issue V 2
issue P 2
"$CP" -d "${D[V]}" peer add --accept "${KEY[P]}" >/dev/null
# A short handshake deadline, so the flood's connections are also dropped
# for being slow (and reopened) while the partner syncs.
NODE_ENV="CREDPORT_PREAUTH_MS=3000" start_node V

sync_once() {
  timeout 20 "$CP" -d "${D[P]}" sync "127.0.0.1:${PORT[V]}" "${KEY[V]}" >"$T/sync.out" 2>"$T/sync.err"
}

say "unloaded: the partner's one-shot sync succeeds"
sync_once || die "sync without a flood failed: $(cat "$T/sync.err")"
stop_node V

# flood_phase NAME COUNT SOURCES MINHELD: V starts afresh (so the partner's
# first sync of the phase comes from an address V has not seen
# authenticate; the later ones use the reserve for known sources), then 10
# one-shot syncs during a flood of COUNT held connections from SOURCES
# addresses; all 10 must succeed, and the flood must still hold MINHELD
# connections when it is stopped. V is stopped at the end (which writes its
# pending summaries); PHASELOG[NAME] is its log.
declare -A PHASELOG
flood_phase() {
  local name=$1 count=$2 sources=$3 minheld=$4 ok=0 i fpid held
  issue P 1
  NODE_ENV="CREDPORT_PREAUTH_MS=3000" start_node V
  "$EVILPEER" connflood "127.0.0.1:${PORT[V]}" "$count" 60 "$sources" >"$T/flood.$name.out" 2>&1 &
  fpid=$!
  BGPIDS+=("$fpid")
  wait_for 10 grep -q 'connections opened from' "$T/flood.$name.out" ||
    die "evilpeer did not open its $count connections: $(cat "$T/flood.$name.out")"
  sleep 1
  for ((i = 0; i < 10; i++)); do
    if sync_once; then
      ok=$((ok + 1))
    else
      say "  sync $((i + 1)) failed: $(tail -n 1 "$T/sync.err")"
    fi
  done
  kill -0 "$fpid" 2>/dev/null || die "the flood ended before the syncs did"
  kill -TERM "$fpid"
  wait "$fpid" || die "evilpeer connflood failed"
  say "  $(tail -n 1 "$T/flood.$name.out")"
  [ "$ok" -eq 10 ] || die "$ok of 10 syncs succeeded during the flood ($name)"
  say "  10 of 10 syncs succeeded"
  held=$(sed -n 's/.*, \([0-9]*\) held at the end$/\1/p' "$T/flood.$name.out")
  [ "${held:-0}" -ge "$minheld" ] ||
    die "the flood held only ${held:-0} connections at the end (at least $minheld expected)"
  stop_node V
  same_heads V P || die "V and P differ after the syncs"
  PHASELOG[$name]=${LOGF[V]}
}

say "flood of 48 connections from 127.0.0.2: 10 one-shot syncs"
flood_phase one 48 1 1
say "flood of 60 connections from six addresses (fills the handshake table): 10 syncs"
flood_phase six 60 6 16
say "flood of 64 connections from 64 addresses: 10 syncs"
flood_phase many 64 64 16

lines=$(cat "${PHASELOG[@]}" | wc -l)
say "the node wrote $lines log lines during the three floods"
# Per 10 s window: 20 lines from strangers, 10 summaries naming a stranger
# and one for the others; the partner's 20 lines and its few summaries; a
# phase of about 7 s spans one window, or two under load.
[ "$lines" -le 250 ] || die "the node wrote $lines log lines during the floods (at most 250 expected)"

log=${PHASELOG[one]}
say "a refusal of the flooding address is logged with its reason"
grep -q 'event=refused from=127\.0\.0\.2 why="' "$log" || die "no refusal line names 127.0.0.2"
say "an aggregated summary names the flooding address and a count"
summary='event=[a-z-]*-summary from=127\.0\.0\.2 count=[0-9][0-9]* window=10s'
grep -q "$summary" "$log" || die "no summary line for 127.0.0.2"
grep "$summary" "$log" | head -n 2 | sed 's/^/  /'
total=$(grep -o "$summary" "$log" | sed 's/.* count=\([0-9]*\) .*/\1/' | awk '{ s += $1 } END { print s + 0 }')
[ "$total" -ge 100 ] || die "the summaries count only $total suppressed lines for 127.0.0.2"
grep -q 'event=[a-z-]*-summary from=127\.0\.0\.[3-7] count=' "${PHASELOG[six]}" ||
  die "no summary line for the other flooding addresses"
say "the flood from 64 addresses is summed up in a line for the less busy ones"
grep -q 'event=log-summary from=other sources=[0-9]* count=[0-9]* window=10s' "${PHASELOG[many]}" ||
  die "no summary line for the many flooding addresses"
grep 'event=log-summary from=other' "${PHASELOG[many]}" | head -n 1 | sed 's/^/  /'
audit_clean V
echo "fed_connflood: all checks passed"
