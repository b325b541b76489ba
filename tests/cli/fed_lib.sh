#!/usr/bin/env bash
# Helpers shared by the federation scripts (tests/cli/fed_*.sh), which
# source this file after setting CP (the credport binary). Loopback only.
#
# Run directly (ctest does, as cli.fed_lib), it checks the helpers
# themselves: a node starts on a free port, a second node cannot take the
# same port, and heads/log_size read status --json correctly.
#
# Every script gets: T (its own temporary folder, removed on exit with every
# background process killed), say/die, node_init NAME, start_node NAME
# [PORT], stop_node NAME, kill_node NAME, heads NAME, log_size NAME LOG,
# wait_for SECONDS COMMAND..., audit_clean NAME, and per node NAME:
# D[NAME] (data folder), KEY[NAME] (public key), PORT[NAME], PID[NAME],
# LOGF[NAME] (the serve log of its latest run).

T=$(mktemp -d "${TMPDIR:-/tmp}/credport-fed.XXXXXX")
declare -A D KEY PORT PID LOGF RUNS
BGPIDS=()

fed_cleanup() {
  local p
  for p in "${PID[@]}" "${BGPIDS[@]}"; do
    if [ -n "$p" ]; then kill -9 "$p" 2>/dev/null || true; fi
  done
  for p in "${PID[@]}" "${BGPIDS[@]}"; do
    if [ -n "$p" ]; then wait "$p" 2>/dev/null || true; fi
  done
  rm -rf "$T"
}
trap fed_cleanup EXIT
trap 'exit 130' INT TERM

# grepq ARGS...: grep -q that reads its whole input, so that the command
# before it in a pipeline (set -o pipefail) never dies of SIGPIPE when the
# match comes early and grep has already gone.
grepq() { grep "$@" >/dev/null; }
FED_T0=$(date +%s%3N)
say() { printf 'check: [%5.1fs] %s\n' "$(($(date +%s%3N) - FED_T0))e-3" "$*"; }
# die ends the script with a failure, also when called in a subshell (a
# helper inside $(...) or a pipeline, as heads mostly is): the subshell
# signals the script, whose USR1 trap exits 1 (and the EXIT trap cleans up).
trap 'exit 1' USR1
die() {
  printf 'FAIL: %s\n' "$*" >&2
  local n
  for n in "${!LOGF[@]}"; do
    [ -f "${LOGF[$n]}" ] || continue
    printf -- '--- serve log of %s (%s), last lines:\n' "$n" "${LOGF[$n]}" >&2
    tail -n 25 "${LOGF[$n]}" >&2
  done
  if [ "$BASHPID" != "$$" ]; then kill -USR1 "$$" 2>/dev/null || true; fi
  exit 1
}

now_ms() { date +%s%3N; }

# node_init NAME [JURISDICTION]: a new authority in $T/NAME.
node_init() {
  local n=$1 j=${2:-US-NC}
  D[$n]=$T/$n
  "$CP" -d "${D[$n]}" init --name "Node $n" --jurisdiction "$j" --role state >/dev/null ||
    die "init of node $n"
  KEY[$n]=$("$CP" -d "${D[$n]}" whoami --json | sed -n 's/.*"public_key":"\([0-9a-f]\{64\}\)".*/\1/p')
  [ ${#KEY[$n]} -eq 64 ] || die "no public key for node $n"
  RUNS[$n]=0
}

# issue NAME COUNT [PAD]: defines a credential (once) and makes COUNT awards
# (each assessor name padded with PAD more characters, for bulky entries),
# with `award --csv` files of at most ISSUE_CHUNK rows (see below).
ISSUE_CHUNK=20000
issue() {
  local n=$1 count=$2 i k rc pad=
  if [ "${3:-0}" -gt 0 ]; then pad=$(printf '%*s' "$3" '' | tr ' ' 'x'); fi
  if [ ! -f "$T/$n.defined" ]; then
    "$CP" -d "${D[$n]}" credential define --id c1 --title "One of $n" --competency one \
      --level 1 --hours 1 >/dev/null || die "credential define on $n"
    : >"$T/$n.defined"
  fi
  local csv=$T/$n.issue.csv
  # Educators distinct within a call (i) and, but for a 1 in 2^30 chance,
  # between calls (base): award --csv refuses a repeated award.
  local base=$((RANDOM * 32768 + RANDOM + 1))
  for ((k = 0; k < count; k += ISSUE_CHUNK)); do
    {
      echo "credential,educator,earned,assessor,evidence_sha256"
      for ((i = k; i < count && i < k + ISSUE_CHUNK; i++)); do
        printf 'c1,%032x%032x,2026-01-01,%s %d %d%s,\n' "$base" "$i" "$n" "$i" "$RANDOM" "$pad"
      done
    } >"$csv"
    # Files larger than the appender's queue (1024 entries) fill it, which
    # once lost a wake-up and hung; the timeout turns any hang into a failure.
    rc=0
    timeout 120 "$CP" -d "${D[$n]}" award --csv "$csv" >/dev/null || rc=$?
    [ "$rc" -ne 124 ] || die "award --csv on $n hung (killed after 120 s)"
    [ "$rc" -eq 0 ] || die "award --csv on $n failed (exit $rc)"
  done
}

# start_node NAME [PORT]: runs `serve` in the background on PORT, or on a
# random free high port (retrying when the port turns out to be taken);
# returns once the log says event=listening. Extra environment for the
# node may be given in NODE_ENV (e.g. NODE_ENV="CREDPORT_WRITE_STALL_MS=2000").
start_node() {
  local n=$1 want=${2:-} try port t0
  for ((try = 0; try < 20; try++)); do
    if [ -n "$want" ]; then
      port=$want
    else
      port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
      # Somebody listening there already: pick another.
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
    fi
    RUNS[$n]=$((${RUNS[$n]:-0} + 1))
    LOGF[$n]=$T/$n.serve.${RUNS[$n]}.log
    # shellcheck disable=SC2086
    env ${NODE_ENV:-} "$CP" -d "${D[$n]}" serve --listen "127.0.0.1:$port" \
      2>"${LOGF[$n]}" >/dev/null &
    PID[$n]=$!
    t0=$(now_ms)
    while :; do
      if grep -q 'event=listening' "${LOGF[$n]}"; then
        PORT[$n]=$port
        return 0
      fi
      if ! kill -0 "${PID[$n]}" 2>/dev/null || grepq 'event=listen-failed' "${LOGF[$n]}"; then
        wait "${PID[$n]}" 2>/dev/null || true
        PID[$n]=
        break
      fi
      [ $(($(now_ms) - t0)) -lt 15000 ] || die "node $n did not start listening on $port"
      sleep 0.05
    done
    [ -z "$want" ] || return 1
  done
  die "node $n found no free port"
}

# stop_node NAME: SIGTERM, then waits; the serve's exit status must be 0.
stop_node() {
  local n=$1 rc=0
  [ -n "${PID[$n]:-}" ] || return 0
  kill -TERM "${PID[$n]}" 2>/dev/null || true
  wait "${PID[$n]}" || rc=$?
  PID[$n]=
  [ "$rc" -eq 0 ] || die "node $n exited with status $rc after SIGTERM"
}

# kill_node NAME: SIGKILL, no clean-up by the node.
kill_node() {
  local n=$1
  [ -n "${PID[$n]:-}" ] || return 0
  kill -9 "${PID[$n]}" 2>/dev/null || true
  wait "${PID[$n]}" 2>/dev/null || true
  PID[$n]=
}

# heads NAME: one line "LOG SIZE ROOT" per log the node holds, sorted.
# A status --json that fails, or lists no log line for the node's own log
# (every node holds its own), fails the test: read as "holds nothing", it
# would make every absence check pass.
heads() {
  local out lines rc=0
  out=$("$CP" -d "${D[$1]}" status --json) || rc=$?
  [ "$rc" -eq 0 ] || die "heads $1: status --json exited with status $rc"
  lines=$(printf '%s\n' "$out" |
    grep -o '{"log":"[0-9a-f]\{64\}","name":"[^"]*","jurisdiction":"[^"]*","size":[0-9]*,"root":"[^"]*"' |
    sed 's/^{"log":"\([0-9a-f]*\)".*"size":\([0-9]*\),"root":"\([^"]*\)"$/\1 \2 \3/' | sort) ||
    die "heads $1: status --json lists no log: $out"
  printf '%s\n' "$lines" | grepq "^${KEY[$1]} " ||
    die "heads $1: status --json does not list the node's own log ${KEY[$1]}: $out"
  printf '%s\n' "$lines"
}

# log_size NAME LOG: size of LOG (hex key) at node NAME, 0 if not held.
log_size() {
  local s
  s=$(heads "$1" | awk -v l="$2" '$1 == l { print $2 }')
  echo "${s:-0}"
}

# own_size NAME: size of the node's own log.
own_size() { "$CP" -d "${D[$1]}" whoami --json | sed -n 's/.*"size":\([0-9]*\).*/\1/p'; }

# forks NAME: the "forks" array of status --json.
forks() { "$CP" -d "${D[$1]}" status --json | sed -n 's/.*"forks":\(\[.*\]\),"serving".*/\1/p'; }

# wait_for SECONDS COMMAND...: polls COMMAND until it succeeds; 1 on timeout.
wait_for() {
  local secs=$1 t0
  shift
  t0=$(now_ms)
  until "$@"; do
    [ $(($(now_ms) - t0)) -lt $((secs * 1000)) ] || return 1
    sleep 0.1
  done
}

# same_heads NAME...: every node holds exactly the same logs at the same
# sizes and roots (and at least one log).
same_heads() {
  local first=$1 ref n
  ref=$(heads "$first")
  [ -n "$ref" ] || return 1
  shift
  for n in "$@"; do
    [ "$(heads "$n")" = "$ref" ] || return 1
  done
}

audit_clean() {
  local out=$T/audit.$1.out
  "$CP" -d "${D[$1]}" audit --threads 2 >"$out" 2>&1 || { cat "$out" >&2; die "audit of $1 failed"; }
  grep -q 'CLEAN' "$out" || { cat "$out" >&2; die "audit of $1 is not clean"; }
}

# evilpeer: the misbehaving partner (tests/tools/evilpeer.c).
find_evilpeer() {
  local c
  for c in "${CP_EVILPEER:-}" "$(dirname "$CP")/tests/evilpeer" "$(dirname "$CP")/evilpeer"; do
    if [ -n "$c" ] && [ -x "$c" ]; then
      # shellcheck disable=SC2034 # used by the scripts that source this file
      EVILPEER=$c
      return 0
    fi
  done
  die "the evilpeer program was not found (set CP_EVILPEER)"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # Run on its own: check the helpers.
  set -euo pipefail
  CP=${1:?usage: fed_lib.sh PATH-TO-CREDPORT}
  node_init a
  node_init b
  issue a 3
  say "heads reads status --json: one log of 5 entries at a"
  [ "$(heads a | wc -l)" -eq 1 ] || die "heads of a: $(heads a)"
  [ "$(log_size a "${KEY[a]}")" = 5 ] || die "log_size of a: $(log_size a "${KEY[a]}")"
  [ "$(own_size a)" = 5 ] || die "own_size of a"
  [ "$(log_size a "${KEY[b]}")" = 0 ] || die "a holds b's log?"
  say "a node starts on a free port; a second one cannot take it"
  start_node a
  if start_node b "${PORT[a]}"; then die "two nodes listen on port ${PORT[a]}"; fi
  grep -q 'event=listen-failed' "${LOGF[b]}" || die "no listen-failed line for b"
  [ -z "${PID[b]}" ] || die "b is still running"
  stop_node a
  grep -q 'credport serve: stopped after' "${LOGF[a]}" || die "a did not stop cleanly"
  same_heads a a || die "same_heads a a"
  if same_heads a b; then die "same_heads a b"; fi
  echo "fed_lib: all checks passed"
fi
