#!/usr/bin/env bash
# Federation: one serve per data folder. serve holds DIR/serve.lock (an
# exclusive flock, released by the kernel when the process ends).
#  1. A second serve on the same folder is refused at once: non-zero exit,
#     a message naming the folder and the PID of the running serve; the
#     first keeps running and the lock file still names it.
#  2. After the first is killed with SIGKILL (no clean-up), a new serve on
#     the folder starts.
# Usage: bash fed_servelock.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_servelock.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"

node_init A
start_node A
first=${PID[A]}

say "a second serve on A's folder is refused, naming PID $first"
out=$T/second.out
rc=0
t0=$(now_ms)
timeout 20 "$CP" -d "${D[A]}" serve --for 5 >/dev/null 2>"$out" || rc=$?
took=$(($(now_ms) - t0))
[ "$rc" -ne 0 ] || { cat "$out" >&2; die "the second serve exited 0"; }
[ "$rc" -ne 124 ] || die "the second serve was still running after 20 s"
[ "$took" -lt 3000 ] || die "the second serve took $took ms to give up"
grepq "in use: another credport serve (PID $first)" "$out" || {
  cat "$out" >&2
  die "the refusal does not name PID $first"
}
grepq "${D[A]}" "$out" || die "the refusal does not name the folder"
if grepq 'event=' "$out"; then cat "$out" >&2; die "the second serve started its node"; fi
kill -0 "$first" 2>/dev/null || die "the first serve died"
[ "$(tr -d '\n' <"${D[A]}/serve.lock")" = "$first" ] || die "serve.lock no longer names $first"

say "after SIGKILL of the first, a new serve starts on the folder"
kill_node A
start_node A
[ "$(tr -d '\n' <"${D[A]}/serve.lock")" = "${PID[A]}" ] || die "serve.lock does not name ${PID[A]}"
say "a one-shot sync with a partner the running serve is connected to: nothing to do"
node_init B
"$CP" -d "${D[B]}" peer add --accept "${KEY[A]}" >/dev/null
start_node B
"$CP" -d "${D[A]}" peer add "127.0.0.1:${PORT[B]}" "${KEY[B]}" >/dev/null
in_sync() { [ "$(log_size A "${KEY[B]}")" -gt 0 ] && grepq '"synced":true' "${D[A]}/status.json"; }
wait_for 20 in_sync || die "A's serve did not sync with B"
rc=0
"$CP" -d "${D[A]}" sync "127.0.0.1:${PORT[B]}" "${KEY[B]}" >"$T/sync.out" 2>&1 || rc=$?
[ "$rc" = 0 ] || { cat "$T/sync.out" >&2; die "sync beside a synced serve exited $rc"; }
grepq "the running serve (PID ${PID[A]}) is connected to 127.0.0.1:${PORT[B]} and in sync" \
  "$T/sync.out" || { cat "$T/sync.out" >&2; die "sync did not say the serve is in sync"; }
[ "$(grep -c 'event=connected' "${LOGF[B]}")" = 1 ] || die "the one-shot sync opened a second session"
stop_node B

stop_node A
grepq 'credport serve: stopped after' "${LOGF[A]}" || die "A did not stop cleanly"
echo "fed_servelock: all checks passed"

