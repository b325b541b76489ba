#!/usr/bin/env bash
# Helpers shared by the command-line scripts (tests/cli/cli_*.sh), which
# source this file after setting CP (the credport binary).
#
# Run directly (ctest does, as cli.cli_lib), it checks the helpers
# themselves: run fails on an unexpected exit status, has/lacks match what
# they should, jstr reads a JSON string, size and same_size read a log.
#
# Every script gets: T (its own temporary folder, removed on exit), D (a
# node's data folder inside it), say/die, run STATUS ARGS... (stdout in
# $T/out, stderr in $T/err), has TEXT FILE, lacks TEXT FILE, jstr KEY FILE,
# size (entries in D's own log) and same_size N (dies, saying
# $SAME_SIZE_WHY, when the size is not N).
#
# CP_RUN, when set, is a command line put in front of every credport call
# (CI sets it to valgrind memcheck): CP is replaced by a wrapper that runs
# "$CP_RUN" with its report going to $T/run.PID.log. Any report left there
# when the script exits fails the script, also when the call it came from
# was expected to fail or ran in the background.

T=$(mktemp -d)
D=$T/node
cli__run_check() {
  local st=$? f bad=0
  for f in "$T"/run.*.log; do
    [ -s "$f" ] || continue
    printf -- '--- %s reported (%s):\n' "${CP_RUN%% *}" "$f" >&2
    cat "$f" >&2
    bad=1
  done
  rm -rf "$T"
  if [ "$bad" = 1 ]; then
    printf 'FAIL: %s reported errors in credport (above)\n' "${CP_RUN%% *}" >&2
    exit 1
  fi
  exit "$st"
}
trap cli__run_check EXIT
cli__wrap() {
  local log=
  [ -n "${CP_RUN:-}" ] || return 0
  case $CP_RUN in valgrind*) log=--log-file=$T/run.%p.log ;; esac
  printf '#!/bin/sh\nexec %s %s %q "$@"\n' "$CP_RUN" "$log" "$CP" >"$T/credport"
  chmod +x "$T/credport"
  CP=$T/credport
}
if [ -n "${CP:-}" ]; then cli__wrap; fi
SAME_SIZE_WHY=${SAME_SIZE_WHY:-something was written}

say() { printf 'check: %s\n' "$*"; }
die() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
run() {
  local want=$1 st=0
  shift
  "$CP" "$@" >"$T/out" 2>"$T/err" || st=$?
  if [ "$st" != "$want" ]; then
    printf -- '--- stdout\n'; cat "$T/out"; printf -- '--- stderr\n'; cat "$T/err"
    die "credport $* exited $st, want $want"
  fi
}
# grepq ARGS...: grep -q that reads its whole input, so that the command
# before it in a pipeline (set -o pipefail) never dies of SIGPIPE when the
# match comes early and grep has already gone.
grepq() { grep "$@" >/dev/null; }
has() { grep -q -- "$1" "$2" || { cat "$2"; die "$2 does not contain \"$1\""; }; }
lacks() { if grep -q -- "$1" "$2"; then cat "$2"; die "$2 contains \"$1\""; fi; }
jstr() { sed -n 's/.*"'"$1"'":"\([^"]*\)".*/\1/p' "$2" | head -n 1; }
size() { "$CP" -d "$D" whoami --json | sed -n 's/.*"size":\([0-9]*\).*/\1/p'; }
same_size() { local s; s=$(size); [ "$s" = "$1" ] || die "log size $s, want $1 ($SAME_SIZE_WHY)"; }

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # Run on its own: check the helpers.
  set -euo pipefail
  CP=${1:?usage: cli_lib.sh PATH-TO-CREDPORT}
  cli__wrap
  say "run passes on the expected status and fails on another"
  run 0 -d "$D" init --name "Lib Test" --jurisdiction US-NC --role state
  if (run 0 -d "$T/missing" whoami) >/dev/null 2>&1; then die "run accepted exit 1 for 0"; fi
  run 1 -d "$T/missing" whoami
  say "has, lacks and jstr"
  run 0 -d "$D" whoami --json
  has '"size":1' "$T/out"
  if (has '"size":2' "$T/out") >/dev/null 2>&1; then die "has matched what is not there"; fi
  lacks '"size":2' "$T/out"
  if (lacks '"size":1' "$T/out") >/dev/null 2>&1; then die "lacks missed what is there"; fi
  [ "$(jstr name "$T/out")" = "Lib Test" ] || die "jstr name: $(jstr name "$T/out")"
  say "size and same_size"
  [ "$(size)" = 1 ] || die "size: $(size)"
  same_size 1
  if (same_size 2) >/dev/null 2>&1; then die "same_size 2 passed on a log of 1"; fi
  echo "cli_lib: all checks passed"
fi
