#!/usr/bin/env bash
# Federation: misbehaving peers are dropped with a logged reason, nothing
# they sent is stored, and the node keeps syncing with an honest partner
# all along. The node is V; H is honest (dials V and issues an award every
# few hundred ms throughout); E is a partner V allows, whose identity the
# misbehaving program tests/tools/evilpeer uses. Cases:
#   garbage bytes; an oversized frame length before the handshake; a
#   truncated frame then silence; entries with an invalid signature (after
#   a valid handshake); an equivocating log (two validly signed entries at
#   one seq: recorded as a fork proof, in status --json "forks" and in the
#   audit, and relayed to H); a peer that stops reading (dropped after the
#   write-stall timeout, made short here with CREDPORT_WRITE_STALL_MS,
#   without V's memory growing); a truncated frame after a valid handshake,
#   then silence (dropped after the idle timeout, made short here with
#   CREDPORT_IDLE_MS for V and H, so that their keepalives go out sooner too).
# Usage: bash fed_misbehave.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_misbehave.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"
find_evilpeer
STALL_MS=2000
IDLE_MS=12000 # above the 10 s handshake deadline, which the truncated case checks

node_init V US-NC
node_init H US-WY
node_init E US-NV
issue V 2
issue H 2
issue E 2
"$CP" -d "${D[V]}" peer add --accept "${KEY[H]}" >/dev/null
"$CP" -d "${D[V]}" peer add --accept "${KEY[E]}" >/dev/null
NODE_ENV="CREDPORT_WRITE_STALL_MS=$STALL_MS CREDPORT_IDLE_MS=$IDLE_MS" start_node V
ADDR=127.0.0.1:${PORT[V]}
"$CP" -d "${D[H]}" peer add "$ADDR" "${KEY[V]}" >/dev/null
NODE_ENV="CREDPORT_IDLE_MS=$IDLE_MS" start_node H

say "setup: E syncs honestly with V once; V, H and E then hold the same logs"
"$CP" -d "${D[E]}" sync "$ADDR" "${KEY[V]}" >/dev/null 2>"$T/e.sync.err" ||
  die "E's honest sync failed: $(cat "$T/e.sync.err")"
wait_for 20 same_heads V H || die "V and H did not converge"
# The key given to a one-shot sync is trusted for that session only.
[ "$("$CP" -d "${D[E]}" peer list --json)" = "[]" ] ||
  die "E's one-shot sync added V to E's peer table: $("$CP" -d "${D[E]}" peer list --json)"
E_HEAD=$(heads E | grep "^${KEY[E]} ")
[ "$(heads V | grep "^${KEY[E]} ")" = "$E_HEAD" ] || die "V does not hold E's log as E does"

# H keeps issuing while V is attacked.
(
  set +e
  while :; do
    "$CP" -d "${D[H]}" award --credential c1 --educator "$(printf '%064x' $((RANDOM + 1)))" \
      --earned 2026-02-02 --assessor "steady" >/dev/null 2>&1
    sleep 0.3
  done
) &
BGPIDS+=($!)
H_LOOP=$!

# e_unchanged: V still holds E's log exactly as E issued it (nothing the
# evil peer sent was appended), and no log but V's, H's and E's.
e_unchanged() {
  [ "$(heads V | grep "^${KEY[E]} ")" = "$E_HEAD" ] || die "V's copy of E's log changed: $(heads V | grep "^${KEY[E]} ")"
  [ "$(heads V | wc -l)" -eq 3 ] || die "V holds $(heads V | wc -l) logs: $(heads V)"
  kill -0 "${PID[V]}" 2>/dev/null || die "V is no longer running"
}
# v_has_line REGEX: V's log has (or soon has) a line matching REGEX.
v_has_line() {
  wait_for 10 grep -q -- "$1" "${LOGF[V]}" || die "V's log has no line matching: $1"
  say "  V: $(grep -- "$1" "${LOGF[V]}" | tail -n 1 | cut -d' ' -f2-)"
}
h_at_v() { log_size V "${KEY[H]}"; }
H_START=$(h_at_v)

say "a truncated frame, then silence (in the background: a stranger's handshake deadline is 5 s)"
"$EVILPEER" truncated "$ADDR" 30 >"$T/ev.truncated" 2>&1 &
BGPIDS+=($!)
TRUNC=$!

say "garbage bytes before the handshake"
"$EVILPEER" garbage "$ADDR" 10 >"$T/ev.garbage" 2>&1 || die "garbage: $(cat "$T/ev.garbage")"
grep -q 'closed the connection' "$T/ev.garbage" || die "garbage: $(cat "$T/ev.garbage")"
v_has_line 'event=session-ended peer=unauthenticated .*why="HS1: expected type 0x01 and 34 bytes'
e_unchanged

say "an oversized frame length (1 MiB, above CP_FRAME_MAX_PREAUTH) before the handshake"
"$EVILPEER" oversize "$ADDR" 10 >"$T/ev.oversize" 2>&1 || die "oversize: $(cat "$T/ev.oversize")"
v_has_line 'event=session-ended peer=unauthenticated .*why="frame 0: length 1048576 exceeds the pre-handshake limit 16384"'
e_unchanged

say "entries with an invalid signature, after a valid handshake"
"$EVILPEER" badsig "$ADDR" "${KEY[V]}" "${D[E]}" 20 >"$T/ev.badsig" 2>&1 || die "badsig: $(cat "$T/ev.badsig")"
grep -q 'pushed a crafted entry at seq 4' "$T/ev.badsig" || die "badsig: $(cat "$T/ev.badsig")"
grep -q 'the node closed the session: code .*signature' "$T/ev.badsig" ||
  die "badsig: the evil peer was not told why: $(cat "$T/ev.badsig")"
v_has_line "event=refused peer=${KEY[E]:0:16} msg=ENTRIES log=${KEY[E]:0:16}.* why=\"seq 4: signature does not verify"
e_unchanged

say "a truncated frame after a valid handshake, then silence: dropped after ${IDLE_MS} ms"
"$EVILPEER" hush "$ADDR" "${KEY[V]}" "${D[E]}" 20 >"$T/ev.hush" 2>&1 || die "hush: $(cat "$T/ev.hush")"
say "  $(grep 'after we fell silent' "$T/ev.hush")"
v_has_line "peer=${KEY[E]:0:16} .*why=\"peer silent for more than ${IDLE_MS} ms\""
e_unchanged

say "an equivocating log: a second validly signed entry at seq 3 of E's log"
"$EVILPEER" fork "$ADDR" "${KEY[V]}" "${D[E]}" 20 >"$T/ev.fork" 2>&1 || die "fork: $(cat "$T/ev.fork")"
say "  $(grep 'sent a fork proof' "$T/ev.fork" | head -n 1)"
v_has_line "event=fork log=${KEY[E]:0:16}"
[ "$(heads V | grep "^${KEY[E]} ")" = "$E_HEAD" ] || die "V appended the equivocating entry"
forks V | grepq "\"log\":\"${KEY[E]}\",\"name\":\"Node E\",\"seq\":3," ||
  die "V's status --json does not report the fork: $(forks V)"
"$CP" -d "${D[V]}" status --json | grepq "\"log\":\"${KEY[E]}\"[^}]*\"forked\":true" ||
  die "V's status does not mark E's log forked"
say "  the fork proof is relayed to H"
wait_for 15 bash -c "'$CP' -d '${D[H]}' status --json | grep -q '\"forks\":\[{\"log\":\"${KEY[E]}\"'" ||
  die "H did not receive the fork proof: $(forks H)"
grep -q "event=fork log=${KEY[E]:0:16}.*fork proof received and stored" "${LOGF[H]}" ||
  die "H's log does not mention the fork proof"
say "  V's audit reports the fork"
rc=0
"$CP" -d "${D[V]}" audit --threads 2 >"$T/audit.V.fork" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || die "V's audit exited $rc on a forked log: $(cat "$T/audit.V.fork")"
grep -q "is forked: two signed entries at one seq" "$T/audit.V.fork" || die "audit: $(cat "$T/audit.V.fork")"
if grep -q "not a valid proof" "$T/audit.V.fork"; then die "audit: the stored proof is invalid"; fi

say "a peer that stops reading: dropped after the write stall (${STALL_MS} ms), memory bounded"
# About 13 MB of entries: more than loopback's socket buffers can hold
# (about 4 MB here; 7 MB was enough, 3.7 MB was not).
issue V 12000 900
v_at_h() { [ "$(log_size H "${KEY[V]}")" = "$(own_size V)" ]; }
wait_for 30 v_at_h || die "H did not receive V's new entries"
rss_v() { sed -n 's/^RssAnon:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/${PID[V]}/status"; }
RSS0=$(rss_v)
"$EVILPEER" noread "$ADDR" "${KEY[V]}" "${D[E]}" 60 >"$T/ev.noread" 2>&1 &
BGPIDS+=($!)
NOREAD=$!
wait_for 20 grep -q "event=dropped peer=${KEY[E]:0:16} .*why=\"peer stopped reading for ${STALL_MS} ms\"" "${LOGF[V]}" ||
  die "V did not drop the peer that stopped reading: $(cat "$T/ev.noread")"
say "  V: $(grep 'event=dropped' "${LOGF[V]}" | tail -n 1 | cut -d' ' -f2-)"
RSS1=$(rss_v)
say "  V's anonymous memory: ${RSS0} kB before, ${RSS1} kB after"
[ $((RSS1 - RSS0)) -lt 32768 ] || die "V's memory grew by $((RSS1 - RSS0)) kB while the peer did not read"
# The evil peer cannot see the drop (V's FIN waits behind the data it never
# read); V's log and memory are the witnesses. Stop it now.
grep -q 'stopped reading after' "$T/ev.noread" || die "noread: $(cat "$T/ev.noread")"
kill "$NOREAD" 2>/dev/null || true
wait "$NOREAD" 2>/dev/null || true
e_unchanged

say "the truncated frame was dropped at the stranger's handshake deadline"
wait "$TRUNC" || die "truncated: $(cat "$T/ev.truncated")"
grep -q 'closed the connection after' "$T/ev.truncated" || die "truncated: $(cat "$T/ev.truncated")"
v_has_line 'event=dropped addr=127\.0\.0\.1:[0-9]* why="handshake not finished within 5000 ms"'

say "V kept syncing with H all along"
kill "$H_LOOP" 2>/dev/null || true
wait "$H_LOOP" 2>/dev/null || true
H_END=$(h_at_v)
[ "$H_END" -ge $((H_START + 5)) ] || die "V received only $((H_END - H_START)) of H's entries during the attacks"
wait_for 30 same_heads V H || die "V and H did not converge: V: $(heads V) / H: $(heads H)"
e_unchanged
stop_node H
stop_node V
grep -q 'credport serve: stopped after' "${LOGF[V]}" || die "V did not stop cleanly"
rc=0
"$CP" -d "${D[H]}" audit --threads 2 >"$T/audit.H.fork" 2>&1 || rc=$?
if [ "$rc" -ne 1 ] || ! grep -q "is forked" "$T/audit.H.fork"; then
  die "H's audit does not report the relayed fork (exit $rc): $(cat "$T/audit.H.fork")"
fi
echo "fed_misbehave: all checks passed"
