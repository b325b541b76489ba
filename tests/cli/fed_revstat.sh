#!/usr/bin/env bash
# Federation: revocation statements travel (docs/PROTOCOL.md L-5). A issues
# and serves B; C takes A's log from B only (two hops from A). A revokes an
# award while all three run: C comes to hold A's statement at A's new size,
# byte for byte the one A signed, and prints it with `revocations --log`.
# Then a hostile partner E (tests/tools/evilpeer revstat) sends C statements
# of its own log with a broken signature, a count its log contradicts and a
# root its tree contradicts, then one over the size limit: C refuses each,
# naming E, stores none, and ends the session on the last. Audits stay clean.
# Usage: bash fed_revstat.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_revstat.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"
find_evilpeer

for n in A B C E; do node_init "$n"; done
issue A 3
EDU=$(printf '%064x' 77)
AWARD=$("$CP" -d "${D[A]}" award --credential c1 --educator "$EDU" --earned 2026-01-02)
[[ $AWARD =~ ^[0-9a-f]{64}$ ]] || die "award printed \"$AWARD\", not an ID"
"$CP" -d "${D[A]}" peer add --accept "${KEY[B]}" >/dev/null
"$CP" -d "${D[B]}" peer add --accept "${KEY[C]}" >/dev/null
"$CP" -d "${D[C]}" peer add --accept "${KEY[E]}" >/dev/null
start_node A
"$CP" -d "${D[B]}" peer add "127.0.0.1:${PORT[A]}" "${KEY[A]}" >/dev/null
start_node B
"$CP" -d "${D[C]}" peer add "127.0.0.1:${PORT[B]}" "${KEY[B]}" >/dev/null
start_node C

# statement_at NODE: A's latest statement as NODE holds it (empty if none).
statement_at() {
  if [ "$1" = A ]; then "$CP" -d "${D[A]}" revocations 2>/dev/null | head -n 7
  else "$CP" -d "${D[$1]}" revocations --log "${KEY[A]}" 2>/dev/null | head -n 7; fi
}
same_statement() {
  local want
  want=$(statement_at A)
  [ -n "$want" ] && [ "$(statement_at B)" = "$want" ] && [ "$(statement_at C)" = "$want" ]
}
say "C, two hops from A, comes to hold A's statement"
wait_for 30 same_statement || die "C holds \"$(statement_at C)\", A signed \"$(statement_at A)\""
[ "$(statement_at C | sed -n 5p)" = "revoked 0" ] || die "the statement at C counts revocations"

say "A revokes an award while all run: the new statement reaches C"
"$CP" -d "${D[A]}" revoke "$AWARD" --reason "issued in error" >/dev/null
SIZE=$(own_size A)
revoked_at_c() {
  [ "$(statement_at C | sed -n 3p)" = "size $SIZE" ] && same_statement
}
wait_for 30 revoked_at_c || die "C holds \"$(statement_at C)\", not A's at size $SIZE"
[ "$(statement_at C | sed -n 5p)" = "revoked 1" ] || die "C's statement does not count 1 revoked"
"$CP" -d "${D[C]}" revocations --log "${KEY[A]}" >"$T/c.out"
grep -q "^1 award revoked as of size $SIZE$" "$T/c.out" || die "revocations --log: $(cat "$T/c.out")"
"$CP" -d "${D[C]}" revocations --log "${KEY[A]}" --size "$SIZE" --json >"$T/c.json"
grep -q "\"log\":\"${KEY[A]}\"" "$T/c.json" || die "revocations --log --json names no log"
if "$CP" -d "${D[C]}" revocations --log "${KEY[A]}" --size 2 2>"$T/err"; then
  die "C printed a statement at size 2, where it holds none"
fi
grep -q "no revocation statement of that log at size 2" "$T/err" || die "$(cat "$T/err")"
if "$CP" -d "${D[C]}" revocations --log "$(printf '%064x' 5)" 2>"$T/err"; then
  die "revocations --log of a log C does not hold succeeded"
fi
grep -q "this node holds no log" "$T/err" || die "$(cat "$T/err")"

say "a hostile partner's statements are refused, naming it, and none is stored"
"$CP" -d "${D[E]}" credential define --id e1 --title "E" --competency one --level 1 --hours 1 \
  >/dev/null
E_AWARD=$("$CP" -d "${D[E]}" award --credential e1 --educator "$EDU" --earned 2026-01-02)
"$CP" -d "${D[E]}" revoke "$E_AWARD" --reason r >/dev/null
rc=0
"$EVILPEER" revstat "127.0.0.1:${PORT[C]}" "${KEY[C]}" "${D[E]}" 30 >"$T/evil.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || die "evilpeer revstat exited $rc: $(cat "$T/evil.out")"
grep -q "REVSTAT: statement of 1025 bytes" "$T/evil.out" ||
  die "C did not end the session on the oversized statement: $(cat "$T/evil.out")"
wait_for 10 grepq "event=refused peer=${KEY[E]:0:16} msg=REVSTAT" "${LOGF[C]}" ||
  die "C logged no refused statement from E"
for why in "does not verify under the key the log signs with" \
           "says 2 revoked; the log holds 1 revocations" \
           "names another root than the held tree's"; do
  wait_for 10 grepq "event=refused peer=${KEY[E]:0:16} msg=REVSTAT .*$why" "${LOGF[C]}" ||
    die "C did not refuse E's statement that $why: $(grep REVSTAT "${LOGF[C]}")"
done
[ "$(log_size C "${KEY[E]}")" = "$(own_size E)" ] || die "C does not hold E's log"
if "$CP" -d "${D[C]}" revocations --log "${KEY[E]}" 2>"$T/err"; then
  die "C stored a statement of E's log"
fi
grep -q "no revocation statement of that log yet" "$T/err" || die "$(cat "$T/err")"

for n in A B; do
  ! grep -q "event=over-budget" "${LOGF[$n]}" || die "$n closed a session over budget"
  ! grep -q "event=refused" "${LOGF[$n]}" || die "$n refused: $(grep event=refused "${LOGF[$n]}")"
done
for n in A B C; do stop_node "$n"; done
for n in A B C; do audit_clean "$n"; done
say "ok"
