#!/usr/bin/env bash
# Federation: equivocation by checkpoint. A and B hold authority X's log
# (5 entries) and X's checkpoint at size 5. Then X, as a misbehaving
# partner (tests/tools/evilpeer cpfork), sends A a checkpoint at size 4
# signed by its key whose root is not the root of the tree A holds:
# - A records a checkpoint fork proof (that note, its own checkpoint at
#   size 5, the consistency proof from 4 to 5), relays it to B and back to
#   X; B records it too;
# - both show it in `status` (JSON and text, kind "checkpoint") and
#   `audit`, and stop accepting X's log;
# - the A-B session does not end over it and there is no reconnect loop.
# Usage: bash fed_cpfork.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_cpfork.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"
find_evilpeer

node_init X US-WI
node_init A US-NC
node_init B US-SC
issue X 3 # genesis, credential, three awards: 5 entries

say "A and B take X's log and its checkpoint at size 5"
"$CP" -d "${D[X]}" peer add --accept "${KEY[A]}" >/dev/null
start_node X
"$CP" -d "${D[A]}" sync "127.0.0.1:${PORT[X]}" "${KEY[X]}" >"$T/sync.A" 2>&1 ||
  die "sync A <- X: $(cat "$T/sync.A")"
stop_node X
"$CP" -d "${D[A]}" peer add --accept "${KEY[B]}" >/dev/null
"$CP" -d "${D[A]}" peer add --accept "${KEY[X]}" >/dev/null
start_node A
"$CP" -d "${D[B]}" peer add "127.0.0.1:${PORT[A]}" "${KEY[A]}" >/dev/null
start_node B
wait_for 15 same_heads A B || die "B did not take A's logs"
cp_size() {
  "$CP" -d "${D[$1]}" status --json |
    sed -n "s/.*\"log\":\"${KEY[X]}\"[^}]*\"checkpoint_size\":\\([0-9]*\\).*/\\1/p"
}
has_cp5() { [ "$(cp_size "$1")" = 5 ]; }
wait_for 15 has_cp5 A || die "A holds no checkpoint of X at size 5: $(cp_size A)"
wait_for 15 has_cp5 B || die "B holds no checkpoint of X at size 5: $(cp_size B)"

say "X sends A a checkpoint at size 4 with another root"
rc=0
"$EVILPEER" cpfork "127.0.0.1:${PORT[A]}" "${KEY[A]}" "${D[X]}" 15 >"$T/evil.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || die "evilpeer cpfork exited $rc: $(cat "$T/evil.out")"
has_fork() { forks "$1" | grepq "\"log\":\"${KEY[X]}\",\"name\":\"Node X\",\"kind\":\"checkpoint\""; }
wait_for 15 has_fork A || die "A recorded no checkpoint fork: $(forks A)"
wait_for 15 has_fork B || die "B did not receive the checkpoint fork proof: $(forks B)"
grep -q "event=fork log=${KEY[X]:0:16}.*contradicts the held checkpoint at size 5" "${LOGF[A]}" ||
  die "A's log does not report the fork"
grep -q "event=fork log=${KEY[X]:0:16}.*fork proof received and stored" "${LOGF[B]}" ||
  die "B's log does not report the fork proof it received"

say "the A-B session goes on: no refusal, no reconnect loop"
sleep 4
sessions=$(grep -c 'event=connected' "${LOGF[B]}" || true)
[ "$sessions" -le 1 ] || die "B connected $sessions times: a reconnect loop"
if grep -q 'event=refused\|event=session-ended\|event=disconnected\|event=peer-closed' \
  "${LOGF[B]}"; then
  die "B's session ended or was refused: $(grep -h 'event=refused\|event=session-ended\|event=disconnected\|event=peer-closed' "${LOGF[B]}" | head -n 3)"
fi

stop_node B
stop_node A
for n in A B; do
  say "$n: status and audit show the fork"
  forks "$n" | grepq "\"kind\":\"checkpoint\",\"size_a\":4,\"size_b\":5" ||
    die "$n's status --json: $(forks "$n")"
  "$CP" -d "${D[$n]}" status --json | grepq "\"log\":\"${KEY[X]}\"[^}]*\"forked\":true" ||
    die "$n's status does not mark X's log forked"
  "$CP" -d "${D[$n]}" status >"$T/status.$n"
  grep -q "FORK log ${KEY[X]:0:16}… (Node X): checkpoints at sizes 4 and 5 are not consistent" \
    "$T/status.$n" || die "$n's status: $(cat "$T/status.$n")"
  rc=0
  "$CP" -d "${D[$n]}" audit --threads 2 >"$T/audit.$n" 2>&1 || rc=$?
  [ "$rc" -eq 1 ] || die "$n's audit exited $rc: $(cat "$T/audit.$n")"
  grep -q "is forked: two signed checkpoints that are not consistent" "$T/audit.$n" ||
    die "$n's audit: $(cat "$T/audit.$n")"
  if grep -q "not a valid proof" "$T/audit.$n"; then die "$n's audit: the stored proof is invalid"; fi
done
echo "fed_cpfork: all checks passed"
