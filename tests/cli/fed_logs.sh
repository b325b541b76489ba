#!/usr/bin/env bash
# serve's log options: --log-file (appended, reopened on SIGHUP so that a
# rotated file is let go), --log-format json (one object per line),
# --log-level (lines below dropped), a serve without --listen saying it
# cannot be dialled, and bad values refused before anything runs.
# Usage: bash fed_logs.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_logs.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"

node_init A
L=$T/a.log

say "json lines in --log-file, reopened on SIGHUP after rotation"
"$CP" -d "${D[A]}" serve --for 30 --log-format json --log-file "$L" 2>"$T/err" &
pid=$!
wait_for 10 grepq '"event":"dial-only"' "$L" || die "no dial-only line in the log file"
grepq '^{"time":"[0-9T:-]*Z","level":"warn","event":"dial-only","partners":0,' "$L" ||
  { cat "$L" >&2; die "the dial-only line is not the JSON expected"; }
mv "$L" "$L.1"
kill -HUP "$pid"
wait_for 10 test -s "$L" || die "SIGHUP did not reopen the log file"
grepq '"event":"log-reopened"' "$L" || die "no log-reopened line in the new file"
grepq '"event":"log-reopened"' "$L.1" && die "the old file got the line after rotation"
kill -TERM "$pid"
wait "$pid" || die "serve exited non-zero after SIGTERM"
grepq '"event":"stopping","why":"SIGTERM"' "$L" || { cat "$L" >&2; die "no stopping line"; }
if grep -v 'credport serve: stopped' "$T/err" | grepq .; then
  cat "$T/err" >&2
  die "log lines went to stderr too"
fi
while IFS= read -r l; do
  case $l in '{"time":"'*'"}') ;; *) die "not one JSON object per line: $l" ;; esac
done <"$L"

say "--log-level warn drops info lines; logfmt stays the default"
"$CP" -d "${D[A]}" serve --for 1 --log-level warn --log-file "$T/w.log" 2>/dev/null
grepq ' level=warn event=dial-only ' "$T/w.log" || { cat "$T/w.log" >&2; die "warn line missing"; }
grepq 'level=info' "$T/w.log" && die "--log-level warn kept info lines"

say "bad values are refused before serve starts"
for bad in "--log-format xml" "--log-level loud" "--log-file"; do
  rc=0
  # shellcheck disable=SC2086
  "$CP" -d "${D[A]}" serve --for 1 $bad >"$T/o" 2>&1 || rc=$?
  [ "$rc" = 2 ] || { cat "$T/o" >&2; die "serve $bad exited $rc, want 2"; }
done
rc=0
"$CP" -d "${D[A]}" serve --for 1 --log-file "$T/no/such/dir/log" >"$T/o" 2>&1 || rc=$?
[ "$rc" = 1 ] || die "an unwritable --log-file exited $rc, want 1"
grepq "cannot open the log file $T/no/such/dir/log" "$T/o" || { cat "$T/o" >&2; die "message"; }
say "ok"
