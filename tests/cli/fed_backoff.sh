#!/usr/bin/env bash
# Federation: the redial backoff grows for a partner whose sessions keep
# ending in refusals, even when each handshake completes on this side. V
# dials B; B does not allow V, so every session ends with B refusing V's
# handshake message, right after V has finished its half. Within 8 s V
# must have dialled at most 5 times (500 ms doubling: at 0, 0.5, 1.5, 3.5
# and 7.5 s, plus jitter), the gaps growing, each refusal logged with B's
# reason. (Before, the backoff was reset by every handshake: 13 sessions
# in 8 s.) Then the other half: a session that synced and stayed up resets
# the backoff, so a partner restarted again and again is redialled at once.
# Usage: bash fed_backoff.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_backoff.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"

node_init V US-NC
node_init B US-WY
start_node B
"$CP" -d "${D[V]}" peer add "127.0.0.1:${PORT[B]}" "${KEY[B]}" >/dev/null
start_node V
sleep 8
stop_node V
stop_node B

say "V's sessions with B (each refused by B):"
mapfile -t AT < <(grep "event=connected peer=${KEY[B]:0:16}" "${LOGF[V]}" | cut -d' ' -f1)
N=${#AT[@]}
say "  $N sessions in 8 s"
[ "$N" -ge 3 ] || die "V dialled B only $N times in 8 s: is it dialling at all?"
[ "$N" -le 5 ] || die "V dialled B $N times in 8 s: the backoff does not grow"
grep -q "event=peer-closed peer=${KEY[B]:0:16} .*not on the allowlist" "${LOGF[V]}" ||
  die "V's log does not give B's reason for refusing"
grep -q "event=session-ended peer=unauthenticated .*HS3: initiator key ${KEY[V]:0:16}... is not on the allowlist" "${LOGF[B]}" ||
  die "B's log does not show it refused V"
# The gaps between dials grow (the log's timestamps are whole seconds):
# the last gap is at least 1 s and no shorter than the first.
t() { date -d "$1" +%s; }
first=$(($(t "${AT[1]}") - $(t "${AT[0]}")))
last=$(($(t "${AT[N - 1]}") - $(t "${AT[N - 2]}")))
[ "$last" -ge 1 ] && [ "$last" -ge "$first" ] ||
  die "the gaps between dials do not grow: ${AT[*]}"

say "a session that synced and stayed up resets the backoff"
# W dials X, which allows it. X is restarted four times, each time after
# the session synced and stayed up longer than the (shortened) stable time:
# each time W is back within about one minimum backoff. Were the backoff
# never reset, the fourth reconnection would wait 4 s.
node_init W US-ID
node_init X US-MT
"$CP" -d "${D[X]}" peer add --accept "${KEY[W]}" >/dev/null
start_node X
"$CP" -d "${D[W]}" peer add "127.0.0.1:${PORT[X]}" "${KEY[X]}" >/dev/null
NODE_ENV="CREDPORT_BACKOFF_STABLE_MS=1000" start_node W
synced_ge() { [ "$(grep -c "event=synced peer=${KEY[X]:0:16}" "${LOGF[W]}")" -ge "$1" ]; }
for ((i = 1; i <= 4; i++)); do
  wait_for 10 synced_ge "$i" || die "W did not sync with X (round $i)"
  sleep 1.3 # longer than the stable time
  stop_node X
  t0=$(now_ms)
  start_node X "${PORT[X]}" || die "X could not listen on its port again"
  wait_for 10 synced_ge $((i + 1)) || die "W did not reconnect to X (round $i)"
  ms=$(($(now_ms) - t0))
  say "  round $i: W back in sync ${ms} ms after X restarted"
  [ "$ms" -le 2500 ] || die "round $i: W took ${ms} ms to reconnect after a stable session"
done
say "W's status.json shows what the session with X holds in W's pipeline"
st_ok() {
  grep -q "\"peer\":\"${KEY[X]}\"[^}]*\"pipeline_jobs\":0,\"pipeline_bytes\":0,\"wasted_units\":[0-9]*,\"paused\":false}" \
    "${D[W]}/status.json" 2>/dev/null
}
wait_for 5 st_ok || die "W's status.json: $(cat "${D[W]}/status.json")"
stop_node W
stop_node X
echo "fed_backoff: all checks passed"
