#!/usr/bin/env bash
# Federation: a stranger (a node whose key is not on the allowlist) is
# refused in the handshake, before any ledger message is read: its one-shot
# `sync` fails with a non-zero exit, the node's log has a line naming the
# refusal, and nothing of the stranger's log is stored. Same for a stranger
# running `serve` that keeps dialling, and for a node that answers at a
# partner's address with another key than the one configured.
# Usage: bash fed_stranger.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_stranger.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"

node_init V US-NC
node_init P US-WY
node_init S US-UT
issue V 2
issue P 2
issue S 3
"$CP" -d "${D[V]}" peer add --accept "${KEY[P]}" >/dev/null
start_node V
"$CP" -d "${D[P]}" peer add "127.0.0.1:${PORT[V]}" "${KEY[V]}" >/dev/null
start_node P
wait_for 20 same_heads V P || die "V and P (an allowed partner) did not sync"
before=$(heads V)

say "the stranger's one-shot sync fails with a non-zero exit"
rc=0
timeout 30 "$CP" -d "${D[S]}" sync "127.0.0.1:${PORT[V]}" "${KEY[V]}" >"$T/s.out" 2>"$T/s.err" || rc=$?
[ "$rc" -ne 0 ] || die "the stranger's sync succeeded: $(cat "$T/s.out")"
[ "$rc" -ne 124 ] || die "the stranger's sync hung"
say "  exit $rc: $(tail -n 1 "$T/s.err")"
grep -q 'allowlist' "$T/s.err" || die "the stranger is not told why: $(cat "$T/s.err")"

say "the node logs the refusal, naming the handshake step and the key"
refusal="event=session-ended peer=unauthenticated .*why=\"HS3: initiator key ${KEY[S]:0:16}.* is not on the allowlist\""
wait_for 10 grep -q "$refusal" "${LOGF[V]}" || die "no refusal line in V's log"
grep "$refusal" "${LOGF[V]}" | head -n 1 | sed 's/^/  /'
if grep -q "event=connected peer=${KEY[S]:0:16}" "${LOGF[V]}"; then die "V let the stranger in"; fi

say "nothing of the stranger's log is stored, at V or (through V) at P"
[ "$(log_size V "${KEY[S]}")" = 0 ] || die "V stored the stranger's log"
[ "$(heads V)" = "$before" ] || die "V's heads changed: $(heads V)"
[ "$(log_size S "${KEY[V]}")" = 0 ] || die "the stranger got V's log"
"$CP" -d "${D[S]}" peer list --json | grepq "${KEY[V]}" && die "the stranger recorded V as a partner"

say "a stranger running serve, dialling V again and again, gets nowhere"
"$CP" -d "${D[S]}" peer add "127.0.0.1:${PORT[V]}" "${KEY[V]}" >/dev/null
start_node S
wait_for 15 bash -c "[ \$(grep -c 'is not on the allowlist' '${LOGF[V]}') -ge 3 ]" ||
  die "the dialling stranger was not refused repeatedly: $(grep -c allowlist "${LOGF[V]}")"
grep -q 'is not on the allowlist' "${LOGF[S]}" || die "the stranger's serve does not log why"
[ "$(log_size V "${KEY[S]}")" = 0 ] || die "V stored the stranger's log"
[ "$(log_size P "${KEY[S]}")" = 0 ] || die "P stored the stranger's log"
stop_node S

say "an allowed partner still syncs with V meanwhile"
issue P 1
wait_for 20 same_heads V P || die "V and P no longer sync"

say "a node answering at a partner's address with another key is refused"
node_init Q US-ME
issue Q 1
# Q lets P in; P allows Q's key but believes V's key lives at Q's address.
"$CP" -d "${D[Q]}" peer add --accept "${KEY[P]}" >/dev/null
start_node Q
stop_node P
"$CP" -d "${D[P]}" peer remove "${KEY[V]}" >/dev/null
"$CP" -d "${D[P]}" peer add "127.0.0.1:${PORT[Q]}" "${KEY[V]}" >/dev/null
"$CP" -d "${D[P]}" peer add --accept "${KEY[Q]}" >/dev/null
start_node P
wait_for 15 grep -q 'event=refused .*not the partner key configured' "${LOGF[P]}" ||
  die "P did not refuse the wrong key at its partner's address"
[ "$(log_size P "${KEY[Q]}")" = 0 ] || die "P stored the log of the node at the wrong address"
stop_node P
stop_node Q

stop_node V
grep -q 'credport serve: stopped after .* [1-9][0-9]* refused' "${LOGF[V]}" ||
  die "V's summary does not count the refusals: $(tail -n 1 "${LOGF[V]}")"
audit_clean V
echo "fed_stranger: all checks passed"
