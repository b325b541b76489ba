#!/usr/bin/env bash
# Crash safety: a large `award --csv` killed with SIGKILL part-way leaves a
# store that audits clean, holding either none of the rows or all of them.
# Usage: bash cli_crash.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: cli_crash.sh PATH-TO-CREDPORT}
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$T"' EXIT
D=$T/node
ROWS=50000

say() { printf 'check: %s\n' "$*"; }
die() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
size() { "$CP" -d "$D" whoami --json | sed -n 's/.*"size":\([0-9]*\).*/\1/p'; }

"$CP" -d "$D" init --name "Crash Test" --jurisdiction US-NC --role state >/dev/null
"$CP" -d "$D" credential define --id c1 --title One --competency one --level 1 --hours 1 >/dev/null
awk -v n=$ROWS 'BEGIN { print "credential,educator,earned,assessor,evidence_sha256";
  for (i = 0; i < n; i++) printf "c1,%064x,2026-01-01,row %d,\n", i + 1, i }' >"$T/big.csv"

killed_mid=0
for delay in 0.05 0.3 0.8 1.2; do
  before=$(size)
  say "kill -9 an import of $ROWS rows after ${delay}s (log size $before)"
  "$CP" -d "$D" award --csv "$T/big.csv" >"$T/out" 2>"$T/err" &
  PID=$!
  sleep "$delay"
  if kill -9 "$PID" 2>/dev/null; then killed_mid=$((killed_mid + 1)); fi
  wait "$PID" 2>/dev/null || true
  PID=
  after=$(size)
  if [ "$after" != "$before" ] && [ "$after" != $((before + ROWS)) ]; then
    die "after the kill the log has $after entries: neither $before nor $((before + ROWS))"
  fi
  say "audit after the kill (log size $after)"
  "$CP" -d "$D" audit --threads 2 >"$T/audit" 2>&1 || { cat "$T/audit"; die "audit after kill -9"; }
  grep -q CLEAN "$T/audit" || { cat "$T/audit"; die "audit is not clean"; }
done
[ "$killed_mid" -ge 1 ] || die "no import was still running when killed (the machine is too fast for this test's delays)"

say "the store still takes writes after the crashes"
before=$(size)
printf 'credential,educator,earned,assessor,evidence_sha256\nc1,%064x,2026-02-01,after,\n' 7 >"$T/one.csv"
"$CP" -d "$D" award --csv "$T/one.csv" >/dev/null
[ "$(size)" = $((before + 1)) ] || die "an import after the crashes did not land"
"$CP" -d "$D" audit --threads 2 >"$T/audit" 2>&1 || { cat "$T/audit"; die "final audit"; }
echo "cli_crash: all checks passed ($killed_mid imports killed mid-way)"
