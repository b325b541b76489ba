#!/usr/bin/env bash
# Federation: a partner the node allows floods it with one message type at
# a time (tests/tools/evilpeer flood-*): checkpoints the node already holds,
# checkpoint notes that do not parse, checkpoints whose root was altered
# after signing (verified, and refused, by the writer), its checkpoint with
# a cosignature by an unknown key (dropped before any job) or with a forged
# one by its witness key, which V trusts (refused by the writer), one fork proof over
# and over, HAVE, REQ for logs nobody holds, PING, RECON out of turn. For
# each: the node's memory stays bounded (VmHWM against VmRSS before), the
# flooding peer is disconnected with a logged reason naming it, and while
# the penalty lasts its key is refused. An honest partner's one-shot sync,
# timed before the floods and again under a repeated checkpoint flood, takes
# at most twice as long (with a floor of 3 s for noise).
# Usage: bash fed_flood.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_flood.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"
find_evilpeer
PENALTY_MS=1500
RSS_MAX_KB=$((100 * 1024))
ENTRIES=2000

node_init V US-NC
node_init H US-WY
node_init E US-NV
issue V 2
issue E 2
"$CP" -d "${D[V]}" peer add --accept "${KEY[H]}" >/dev/null
"$CP" -d "${D[V]}" peer add --accept "${KEY[E]}" >/dev/null
# V trusts E's witness key: E's forged cosignatures reach the writer.
"$CP" -d "${D[V]}" witness trust \
  "$("$CP" -d "${D[E]}" whoami --json | sed -n 's/.*"witness_vkey":"\([^"]*\)".*/\1/p')"
NODE_ENV="CREDPORT_PENALTY_MS=$PENALTY_MS" start_node V
ADDR=127.0.0.1:${PORT[V]}

say "setup: E syncs honestly with V once (V then holds E's log and its checkpoint)"
"$CP" -d "${D[E]}" sync "$ADDR" "${KEY[V]}" >/dev/null 2>"$T/e.sync.err" ||
  die "E's honest sync failed: $(cat "$T/e.sync.err")"

# v_has_h: V holds all of H's log, and H's checkpoint at that size (the
# checkpoint that followed H's entries was not dropped as waste).
v_has_h() {
  local size cps
  size=$(own_size H)
  [ "$(log_size V "${KEY[H]}")" = "$size" ] || return 1
  cps=$("$CP" -d "${D[V]}" status --json |
    grep -o "{\"log\":\"${KEY[H]}\"[^}]*\"checkpoint_size\":[0-9]*" | sed 's/.*://')
  [ "$cps" = "$size" ]
}
# timed_sync: issues ENTRIES awards on H, syncs H with V once, prints the ms.
timed_sync() {
  local t0 t1
  issue H "$ENTRIES"
  t0=$(now_ms)
  "$CP" -d "${D[H]}" sync "$ADDR" "${KEY[V]}" >/dev/null 2>"$T/h.sync.err" ||
    die "H's sync failed: $(cat "$T/h.sync.err")"
  # Done when V holds all of H's log and its checkpoint (a one-shot sync
  # may end a moment before the last batch is committed on V).
  wait_for 30 v_has_h || die "V does not hold all of H's log"
  t1=$(now_ms)
  echo $((t1 - t0))
}
UNLOADED=$(timed_sync)
say "H's sync of $ENTRIES entries, unloaded: ${UNLOADED} ms"

status_kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/${PID[V]}/status"; }

since_has() { tail -n "+$1" "${LOGF[V]}" | grep -qE "$2"; }

# flood MODE REGEX: one flood; checks memory, the exit, and that V logged a
# line matching REGEX, in which PEER stands for "peer=" and E's key prefix.
flood() {
  local mode=$1 want=${2//PEER/peer=${KEY[E]:0:16}} rss0 hwm rc=0 from
  sleep "$((PENALTY_MS / 1000 + 1))" # the previous flood's penalty has passed
  from=$(($(wc -l <"${LOGF[V]}") + 1)) # only what this flood made V log counts
  rss0=$(status_kb VmRSS)
  "$EVILPEER" "$mode" "$ADDR" "${KEY[V]}" "${D[E]}" 10 >"$T/ev.$mode" 2>&1 || rc=$?
  hwm=$(status_kb VmHWM)
  kill -0 "${PID[V]}" 2>/dev/null || die "$mode: V is no longer running"
  say "$mode: $(grep -E 'after [0-9]+ messages' "$T/ev.$mode" | cut -d' ' -f3-); V's peak memory $((hwm - rss0)) kB above its size before"
  [ $((hwm - rss0)) -lt "$RSS_MAX_KB" ] ||
    die "$mode: V's memory peaked $((hwm - rss0)) kB above its size before (limit $RSS_MAX_KB kB)"
  [ "$rc" -eq 0 ] || die "$mode: V did not end the session (evilpeer exit $rc): $(cat "$T/ev.$mode")"
  wait_for 5 since_has "$from" "$want" || die "$mode: V's log has no new line matching: $want"
  say "  V: $(tail -n "+$from" "${LOGF[V]}" | grep -E "$want" | tail -n 1 | cut -d' ' -f2-)"
}

flood flood-cp-stale 'event=over-budget PEER .*most: CHECKPOINT no newer than the one held'
say "  the key is refused while its penalty lasts"
rc=0
"$EVILPEER" flood-cp-stale "$ADDR" "${KEY[V]}" "${D[E]}" 5 >"$T/ev.again" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || die "a second flood at once was not ended: $(cat "$T/ev.again")"
wait_for 5 grep -q "event=refused peer=${KEY[E]:0:16} .*over budget earlier" "${LOGF[V]}" ||
  die "V did not refuse E during its penalty: $(cat "$T/ev.again")"
flood flood-cp-garbage 'event=over-budget PEER .*CHECKPOINT that (is not a checkpoint note|does not verify)'
flood flood-cp-forged 'event=over-budget PEER .*most: CHECKPOINT that does not verify'
flood flood-cp-cosig 'event=over-budget PEER .*most: CHECKPOINT no newer than the one held'
flood flood-cp-cosig-forged 'event=over-budget PEER .*most: CHECKPOINT that does not verify'
flood flood-have 'event=over-budget PEER .*most: HAVE repeating an earlier one'
flood flood-req 'event=over-budget PEER .*most: REQ for nothing this node holds'
flood flood-ping 'event=over-budget PEER .*most: PING'
flood flood-recon 'event=(session-ended PEER .*why="RECON: |over-budget PEER .*RECON turns)'
flood flood-fork 'event=over-budget PEER .*most: FORK (for a log already known to be forked|that told nothing new)'

say "H's sync under a checkpoint flood repeated all along"
sleep "$((PENALTY_MS / 1000 + 1))"
(
  set +e
  while :; do
    "$EVILPEER" flood-cp-stale "$ADDR" "${KEY[V]}" "${D[E]}" 10 >/dev/null 2>&1
    sleep 0.1
  done
) &
BGPIDS+=($!)
LOOP=$!
LOADED=$(timed_sync)
kill "$LOOP" 2>/dev/null || true
wait "$LOOP" 2>/dev/null || true
LIMIT=$((2 * UNLOADED > UNLOADED + 3000 ? 2 * UNLOADED : UNLOADED + 3000))
say "H's sync of $ENTRIES entries under the flood: ${LOADED} ms (unloaded ${UNLOADED} ms, limit ${LIMIT} ms)"
[ "$LOADED" -le "$LIMIT" ] || die "H's sync took ${LOADED} ms under the flood, limit ${LIMIT} ms"
[ "$(grep -c "event=over-budget peer=${KEY[E]:0:16}" "${LOGF[V]}")" -ge 6 ] ||
  die "fewer over-budget lines for E than floods"
if grep -E "peer=${KEY[H]:0:16} .*(over budget|refused)|event=(over-budget|checkpoint-refused) peer=${KEY[H]:0:16}" "${LOGF[V]}"; then
  die "V charged or refused the honest partner H"
fi

stop_node V
grep -q 'credport serve: stopped after' "${LOGF[V]}" || die "V did not stop cleanly"
[ "$(heads V | grep "^${KEY[H]} ")" = "$(heads H | grep "^${KEY[H]} ")" ] ||
  die "V's copy of H's log differs from H's"
echo "fed_flood: all checks passed"
