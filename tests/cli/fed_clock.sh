#!/usr/bin/env bash
# Federation: a fast clock. A signs one award with its clock a year ahead
# (CREDPORT_NOW, the CLI's test-only clock). Then:
#  - B refuses that entry (more than 600 s ahead of B's clock);
#  - A, which now knows B's clock (DIGEST), refuses to sign while its clock
#    is a year ahead of B's, saying both clocks, the difference and the limit;
#  - with the right clock, A refuses a plain award (the log is dated ahead)
#    and names the way forward: `credport clock correct`;
#  - after the correction, A signs again, B accepts the whole log (the entry
#    dated ahead together with its correction), C gets it from B, and every
#    audit is clean. The entry dated ahead is seq 255, the first seq past a
#    full sync batch (256 entries from seq 0): the sender must start a batch
#    with it so that its correction travels with it (B grants credit for one
#    batch at a time, so no two batches are committed together).
# Usage: bash fed_clock.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_clock.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"

YEAR=$((365 * 86400))
EDU=$(printf '%064x' 7)
node_init A US-NC
node_init B US-WY
node_init C US-SC
award() { # award NODE [ENV...]: one award of c1 on NODE; prints its output
  local n=$1
  shift
  env "$@" "$CP" -d "${D[$n]}" award --credential c1 --educator "$EDU" --earned 2026-01-01 --allow-duplicates \
    --assessor "R. Alvarez" 2>&1
}
"$CP" -d "${D[A]}" credential define --id c1 --title One --competency one --level 1 \
  --hours 1 >/dev/null
award A >/dev/null || die "first award on A"
{
  echo "credential,educator,earned,assessor,evidence_sha256"
  for ((i = 0; i < 252; i++)); do printf 'c1,%064x,2026-01-01,R %d,\n' $((i + 100)) "$i"; done
} >"$T/fill.csv"
"$CP" -d "${D[A]}" award --csv "$T/fill.csv" >/dev/null || die "award --csv on A"
[ "$(own_size A)" = 255 ] || die "A's log has $(own_size A) entries, not 255"
"$CP" -d "${D[B]}" peer add --accept "${KEY[A]}" >/dev/null
"$CP" -d "${D[B]}" peer add --accept "${KEY[C]}" >/dev/null
# B grants one batch of credit at a time, so it commits each batch alone.
NODE_ENV="CREDPORT_CREDIT_ENTRIES=256" start_node B
"$CP" -d "${D[A]}" peer add "127.0.0.1:${PORT[B]}" "${KEY[B]}" >/dev/null
"$CP" -d "${D[C]}" peer add "127.0.0.1:${PORT[B]}" "${KEY[B]}" >/dev/null

say "A, which has never seen a partner's clock, signs an award with its clock a year ahead"
AHEAD=$(($(date +%s) + YEAR))
award A CREDPORT_NOW=$AHEAD >/dev/null || die "the award dated ahead was refused"
[ "$(own_size A)" = 256 ] || die "A's log has $(own_size A) entries"

say "B refuses it (the batch that holds it): sync fails"
rc=0
out=$("$CP" -d "${D[A]}" sync "127.0.0.1:${PORT[B]}" 2>&1) || rc=$?
[ "$rc" -ne 0 ] || die "sync exited 0 although B refuses the entry dated ahead: $out"
[ "$(log_size B "${KEY[A]}")" -lt 256 ] || die "B holds $(log_size B "${KEY[A]}") entries of A"
grep -q "s ahead of this node's clock" "${LOGF[B]}" || die "B's log does not say why"

say "A now knows B's clock and refuses to sign with its clock a year ahead"
rc=0
out=$(award A CREDPORT_NOW=$((AHEAD + 60))) || rc=$?
say "  $out"
[ "$rc" -ne 0 ] || die "A signed with its clock a year ahead of its partner's"
for w in "clock reads" "partner ${KEY[B]:0:16}" "ahead" "600 s" "set this machine's clock"; do
  printf '%s' "$out" | grepq "$w" || die "the refusal does not say \"$w\": $out"
done
[ "$(own_size A)" = 256 ] || die "A's log grew to $(own_size A) entries"
shown=$("$CP" -d "${D[A]}" clock show --json)
printf '%s' "$shown" | grepq '"usable":1' || die "clock show: $shown"

say "with the right clock A refuses a plain award and names the way forward"
rc=0
out=$(award A) || rc=$?
say "  $out"
[ "$rc" -ne 0 ] || die "A signed after an entry dated a year ahead (partners would refuse it)"
printf '%s' "$out" | grepq "credport clock correct" || die "no way forward named: $out"
[ "$(own_size A)" = 256 ] || die "A's log grew to $(own_size A) entries"

say "the operator corrects the clock; A signs again"
out=$("$CP" -d "${D[A]}" clock correct --reason "NTP was off for an hour" 2>&1) ||
  die "clock correct failed: $out"
printf '%s' "$out" | grepq "entries from seq 255 were dated ahead" || die "clock correct: $out"
rc=0
out=$("$CP" -d "${D[A]}" clock correct 2>&1) || rc=$?
[ "$rc" -ne 0 ] && printf '%s' "$out" | grepq "nothing to correct" ||
  die "a second correction was not refused: $out"
award A >/dev/null || die "the award after the correction was refused"
[ "$(own_size A)" = 258 ] || die "A's log has $(own_size A) entries"
"$CP" -d "${D[A]}" log | grepq "clock corrected: NTP was off" || die "the log shows no correction"

say "B accepts A's whole log now; C gets it from B"
out=$("$CP" -d "${D[A]}" sync "127.0.0.1:${PORT[B]}" 2>&1) || die "sync A -> B failed: $out"
[ "$(log_size B "${KEY[A]}")" = 258 ] || die "B holds $(log_size B "${KEY[A]}") entries of A"
out=$("$CP" -d "${D[C]}" sync "127.0.0.1:${PORT[B]}" 2>&1) || die "sync C <- B failed: $out"
[ "$(log_size C "${KEY[A]}")" = 258 ] || die "C holds $(log_size C "${KEY[A]}") entries of A"
award A >/dev/null || die "a further award on A"
out=$("$CP" -d "${D[A]}" sync "127.0.0.1:${PORT[B]}" 2>&1) || die "second sync A -> B: $out"
[ "$(log_size B "${KEY[A]}")" = 259 ] || die "the log did not move on at B"
stop_node B
audit_clean A
audit_clean B
audit_clean C
echo "fed_clock: all checks passed"
