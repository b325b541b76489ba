#!/usr/bin/env bash
# Federation: partner addresses may be host names, resolved when dialled
# (never at `peer add`), afresh at every dial. Names here resolve without a
# network: "localhost" and "LOCALHOST" (names are case-insensitive), and
# "credport-no-such-host.invalid" (RFC 2606: never resolves).
#  1. B's partner A is "LOCALHOST:PORT" and C's is "localhost:PORT": both
#     dial A through the resolver and replicate A's log.
#  2. After A is killed and restarted on its port, B redials the name and
#     replicates A's new entries.
#  3. A partner whose name does not resolve is logged as resolve-failed,
#     once per backoff step (a few lines in 4 s, not a flood), and the node
#     keeps serving its other partners.
#  4. A one-shot `sync` to a name: to localhost it completes; to a name that
#     does not resolve it fails, saying so.
# Usage: bash fed_hostname.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_hostname.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"
BAD=credport-no-such-host.invalid

node_init A US-NC
node_init B US-WY
node_init C US-SC
node_init E US-VT
issue A 5
for n in B C E; do "$CP" -d "${D[A]}" peer add --accept "${KEY[$n]}" >/dev/null; done
start_node A
"$CP" -d "${D[B]}" peer add "LOCALHOST:${PORT[A]}" "${KEY[A]}" >/dev/null
"$CP" -d "${D[B]}" peer add "$BAD:${PORT[A]}" "${KEY[C]}" >/dev/null
"$CP" -d "${D[C]}" peer add "localhost:${PORT[A]}" "${KEY[A]}" >/dev/null

say "B dials A as LOCALHOST:${PORT[A]}, C as localhost:${PORT[A]}; both replicate A's log"
start_node B
start_node C
want=$(own_size A)
wait_for 20 eval '[ "$(log_size B "${KEY[A]}")" = "$want" ] && [ "$(log_size C "${KEY[A]}")" = "$want" ]' ||
  die "B holds $(log_size B "${KEY[A]}"), C $(log_size C "${KEY[A]}") of A's $want entries"
if grepq 'event=bad-address' "${LOGF[B]}" "${LOGF[C]}"; then die "a name was taken for a bad address"; fi

say "A restarts on its port; B redials LOCALHOST and gets A's new entries"
kill_node A
issue A 3
start_node A "${PORT[A]}" || die "A could not restart on ${PORT[A]}"
want=$(own_size A)
wait_for 30 eval '[ "$(log_size B "${KEY[A]}")" = "$want" ]' ||
  die "B holds $(log_size B "${KEY[A]}") of A's $want entries after A's restart"

say "the name that does not resolve is logged once per backoff step"
t0=$(now_ms)
wait_for 20 grepq "event=resolve-failed addr=$BAD:${PORT[A]}" "${LOGF[B]}" ||
  die "no resolve-failed line for $BAD"
n1=$(grep -c "event=resolve-failed addr=$BAD" "${LOGF[B]}" || true)
sleep 4
n2=$(grep -c "event=resolve-failed addr=$BAD" "${LOGF[B]}" || true)
# Backoff 0.5 s doubling: at most 4 more dials in 4 s; at least one more.
[ $((n2 - n1)) -ge 1 ] || die "$BAD was not retried ($n1 then $n2 lines)"
[ $((n2 - n1)) -le 4 ] || die "$BAD logged $((n2 - n1)) times in 4 s: not once per backoff step"
kill -0 "${PID[B]}" 2>/dev/null || die "B died"
say "  ($n2 resolve-failed lines in $(($(now_ms) - t0)) ms)"

say "one-shot sync to localhost completes; to $BAD it fails, naming the name"
"$CP" -d "${D[E]}" peer add --accept "${KEY[A]}" >/dev/null
"$CP" -d "${D[E]}" sync "localhost:${PORT[A]}" "${KEY[A]}" >"$T/sync.out" 2>&1 ||
  { cat "$T/sync.out" >&2; die "sync to localhost:${PORT[A]} failed"; }
[ "$(log_size E "${KEY[A]}")" = "$want" ] || die "E holds $(log_size E "${KEY[A]}") of A's $want"
rc=0
timeout 60 "$CP" -d "${D[E]}" sync "$BAD:${PORT[A]}" "${KEY[A]}" >"$T/sync.out" 2>&1 || rc=$?
if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ]; then cat "$T/sync.out" >&2; die "sync to $BAD exited $rc"; fi
grepq "cannot resolve $BAD:${PORT[A]}" "$T/sync.out" || { cat "$T/sync.out" >&2; die "no resolve error"; }

stop_node B
stop_node C
stop_node A
echo "fed_hostname: all checks passed"
