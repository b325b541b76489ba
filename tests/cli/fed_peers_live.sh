#!/usr/bin/env bash
# Federation: peer-table changes reach a running serve without a restart
# (node/partners.c).
#  1. B runs and does not allow A; A dials B and is refused. `peer add
#     --accept A` on B: within a few seconds A's next dial is let in and
#     the logs sync (the allowlist follows the table).
#  2. C runs; `peer add C` on A while A runs: A dials C at once and holds
#     C's log within a few seconds, logging event=peers-reloaded added=1.
#  3. C moves to another port; `peer add NEWADDR C` on A: A dials the new
#     address and syncs C's newer entries.
#  4. `peer remove C` on A: A closes C's session and never dials C again;
#     `peer remove A` on B (an accept-only partner): B closes A's session.
# Usage: bash fed_peers_live.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_peers_live.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"

# holds_all X Y: node X holds all of node Y's own log.
holds_all() { [ "$(log_size "$1" "${KEY[$2]}")" -eq "$(own_size "$2")" ]; }

node_init A
node_init B
node_init C
issue B 3
issue C 2

say "1. B allows A only after A's first dial was refused"
start_node B
"$CP" -d "${D[A]}" peer add "127.0.0.1:${PORT[B]}" "${KEY[B]}" >/dev/null
start_node A
wait_for 10 grepq 'not on the allowlist' "${LOGF[B]}" || die "B never refused A"
[ "$(log_size A "${KEY[B]}")" = 0 ] || die "A holds B's log before B allowed it"
"$CP" -d "${D[B]}" peer add --accept "${KEY[A]}" >"$T/out"
grepq "added" "$T/out" || die "peer add printed no confirmation"
wait_for 15 grepq 'event=peers-reloaded allowed=1 dialled=0 added=0' "${LOGF[B]}" ||
  die "B did not reload its peer table"
wait_for 15 same_heads A B || die "A and B did not sync after B allowed A"
restarts=$(grep -c 'event=listening' "${LOGF[B]}")
[ "$restarts" = 1 ] || die "B listened $restarts times"

say "2. a partner added to a running A is dialled at once"
start_node C
"$CP" -d "${D[C]}" peer add --accept "${KEY[A]}" >/dev/null
sleep 1 # C's own reload
"$CP" -d "${D[A]}" peer add "127.0.0.1:${PORT[C]}" "${KEY[C]}" >/dev/null
wait_for 15 grepq 'event=peers-reloaded allowed=2 dialled=2 added=1 changed=0' "${LOGF[A]}" ||
  { cat "${LOGF[A]}" >&2; die "A did not add C"; }
wait_for 15 holds_all A C || die "A never got C's log"

say "3. C moves to another port: A follows the new address"
stop_node C
old=${PORT[C]}
start_node C
[ "${PORT[C]}" != "$old" ] || die "C came back on the same port"
issue C 2
"$CP" -d "${D[A]}" peer add "127.0.0.1:${PORT[C]}" "${KEY[C]}" >/dev/null
wait_for 15 grepq 'changed=1' "${LOGF[A]}" || die "A did not see C's address change"
wait_for 20 holds_all A C || die "A did not sync C's new entries at the new address"

say "4. removed partners' sessions close, and they are not dialled again"
"$CP" -d "${D[A]}" peer remove "${KEY[C]}" >/dev/null
wait_for 15 grepq 'removed=1' "${LOGF[A]}" || die "A did not remove C"
wait_for 10 grepq "session-closed peer=${KEY[C]:0:16} .*partner removed from the peer table" "${LOGF[A]}" ||
  die "A did not close C's session"
sleep 3
n=$(grep -c "event=connected peer=${KEY[C]:0:16}" "${LOGF[A]}" || true)
issue C 1
sleep 2
[ "$(grep -c "event=connected peer=${KEY[C]:0:16}" "${LOGF[A]}" || true)" = "$n" ] ||
  die "A connected to C again after removing it"
if holds_all A C; then die "A still gets C's entries"; fi
"$CP" -d "${D[B]}" peer remove "${KEY[A]}" >/dev/null
wait_for 15 grepq 'removed=0 closed=1' "${LOGF[B]}" || die "B kept A's session"
wait_for 10 grepq "session-closed peer=${KEY[A]:0:16} .*partner removed from the peer table" "${LOGF[B]}" ||
  die "B did not say why A's session ended"
for n in A B C; do stop_node "$n"; done
say "ok"
