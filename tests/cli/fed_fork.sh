#!/usr/bin/env bash
# Federation: split views of unequal length. Authority X signs two histories
# of its log (its data folder is copied after 3 entries, then both copies
# append: 5 entries on one, 6 on the other). A holds the 5-entry branch, B
# the 6-entry one. When A and B sync:
# - A asks B for seq 5 on and finds that B's entry 5 names a prev that is
#   not A's entry 4: a fork proof, recorded on A and relayed to B;
# - both show it in `status` (JSON and text) and `audit` (which checks the
#   proof again), and stop replicating that log;
# - the session does not end in an error and there is no reconnect loop:
#   over ~8 s the number of sessions stays small, and later sessions do not
#   ask for the other branch again.
# Usage: bash fed_fork.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_fork.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"

node_init X US-WI
node_init A US-NC
node_init B US-SC
issue X 1 # genesis, credential, one award: the shared prefix (3 entries)
D[X2]=$T/X2
cp -a "${D[X]}" "${D[X2]}"
KEY[X2]=${KEY[X]}
RUNS[X2]=0
: >"$T/X2.defined"
issue X 2  # X's branch: 5 entries
issue X2 3 # the other branch: 6 entries
[ "$(own_size X)" = 5 ] || die "X's branch has $(own_size X) entries, not 5"
[ "$(own_size X2)" = 6 ] || die "X2's branch has $(own_size X2) entries, not 6"

say "A takes X's branch (5 entries), B the other one (6 entries)"
"$CP" -d "${D[X]}" peer add --accept "${KEY[A]}" >/dev/null
"$CP" -d "${D[X2]}" peer add --accept "${KEY[B]}" >/dev/null
start_node X
"$CP" -d "${D[A]}" sync "127.0.0.1:${PORT[X]}" "${KEY[X]}" >"$T/sync.A" 2>&1 ||
  die "sync A <- X: $(cat "$T/sync.A")"
stop_node X
start_node X2
"$CP" -d "${D[B]}" sync "127.0.0.1:${PORT[X2]}" "${KEY[X]}" >"$T/sync.B" 2>&1 ||
  die "sync B <- X2: $(cat "$T/sync.B")"
stop_node X2
[ "$(log_size A "${KEY[X]}")" = 5 ] || die "A holds X's log at $(log_size A "${KEY[X]}")"
[ "$(log_size B "${KEY[X]}")" = 6 ] || die "B holds X's log at $(log_size B "${KEY[X]}")"

say "A and B sync: the fork is found, recorded and relayed"
"$CP" -d "${D[A]}" peer add --accept "${KEY[B]}" >/dev/null
start_node A
"$CP" -d "${D[B]}" peer add "127.0.0.1:${PORT[A]}" "${KEY[A]}" >/dev/null
start_node B
has_fork() { forks "$1" | grepq "\"log\":\"${KEY[X]}\""; }
wait_for 15 has_fork A || die "A recorded no fork: $(forks A)"
wait_for 15 has_fork B || die "B did not receive the fork proof: $(forks B)"
t0=$(now_ms)
sleep 8
secs=$((($(now_ms) - t0) / 1000))
sessions=$(grep -c 'event=connected' "${LOGF[B]}" || true)
say "  $sessions session(s) on B's side, the last ~$secs s without a new one expected"
[ "$sessions" -le 2 ] || die "B connected $sessions times: a reconnect loop"
if grep -q 'event=refused\|event=session-ended\|event=disconnected\|event=peer-closed' \
  "${LOGF[A]}" "${LOGF[B]}"; then
  die "a session ended or was refused over the fork: $(grep -h 'event=refused\|event=session-ended\|event=disconnected\|event=peer-closed' "${LOGF[A]}" "${LOGF[B]}" | head -n 3)"
fi
grep -q "event=fork log=${KEY[X]:0:16}.*prev contradicts" "${LOGF[A]}" ||
  die "A's log does not report the fork"
grep -q "event=fork log=${KEY[X]:0:16}.*fork proof received and stored" "${LOGF[B]}" ||
  die "B's log does not report the fork proof it received"

say "the sizes did not move: neither branch was replicated"
[ "$(log_size A "${KEY[X]}")" = 5 ] || die "A's copy of X's log changed"
[ "$(log_size B "${KEY[X]}")" = 6 ] || die "B's copy of X's log changed"

say "a new session does not ask for the other branch again"
stop_node B
a_lines=$(wc -l <"${LOGF[A]}")
start_node B
wait_for 15 grep -q 'event=synced' "${LOGF[B]}" || die "B's new session did not sync"
sleep 2
tail -n "+$((a_lines + 1))" "${LOGF[A]}" >"$T/A.after"
grep -q 'event=connected' "$T/A.after" || die "A saw no new session"
grep -q 'event=synced.*logs_requested=0$' "$T/A.after" ||
  die "A's second session asked for something: the other branch again: $(grep synced "$T/A.after")"
if grep -q 'event=refused\|event=session-ended\|event=peer-closed\|event=fork' "$T/A.after" "${LOGF[B]}"; then
  die "the second session met the fork again: $(cat "$T/A.after" "${LOGF[B]}")"
fi
[ "$(log_size A "${KEY[X]}")" = 5 ] || die "A's copy of X's log changed"

stop_node B
stop_node A
for n in A B; do
  say "$n: status and audit show the fork"
  forks "$n" | grepq "\"log\":\"${KEY[X]}\",\"name\":\"Node X\",\"seq\":4,\"kind\":\"branch\"" ||
    die "$n's status --json: $(forks "$n")"
  "$CP" -d "${D[$n]}" status --json | grepq "\"log\":\"${KEY[X]}\"[^}]*\"forked\":true" ||
    die "$n's status does not mark X's log forked"
  "$CP" -d "${D[$n]}" status >"$T/status.$n"
  grep -q "FORK log ${KEY[X]:0:16}… (Node X): two branches, entry 5 names a prev that is not entry 4" \
    "$T/status.$n" || die "$n's status: $(cat "$T/status.$n")"
  rc=0
  "$CP" -d "${D[$n]}" audit --threads 2 >"$T/audit.$n" 2>&1 || rc=$?
  [ "$rc" -eq 1 ] || die "$n's audit exited $rc: $(cat "$T/audit.$n")"
  grep -q "is forked: entry 5 names a prev that is not entry 4" "$T/audit.$n" ||
    die "$n's audit: $(cat "$T/audit.$n")"
  if grep -q "not a valid proof" "$T/audit.$n"; then die "$n's audit: the stored proof is invalid"; fi
done
echo "fed_fork: all checks passed"
