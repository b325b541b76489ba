#!/usr/bin/env bash
# Federation CLI, bad input: `serve --listen` with nonsense or an address in
# use, `peer add` with a bad key or address, `sync` to a closed port or with
# bad arguments. Each gives a clear error and a non-zero exit, promptly,
# and changes nothing (the node's logs and peer table are as before).
# Usage: bash fed_badinput.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_badinput.sh PATH-TO-CREDPORT}
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"

node_init N US-NC
node_init P US-WY
issue N 2
"$CP" -d "${D[N]}" peer add "127.0.0.1:9" "${KEY[P]}" >/dev/null
state() { heads N; "$CP" -d "${D[N]}" peer list --json; }
BEFORE=$(state)

# fails WANT_EXIT REGEX CREDPORT-ARGS...: runs credport (at most 20 s); it
# must exit with WANT_EXIT (any non-zero if "nz") and print REGEX on stderr.
fails() {
  local want=$1 re=$2 rc=0
  shift 2
  timeout 20 "$CP" "$@" >"$T/out" 2>"$T/err" </dev/null || rc=$?
  [ "$rc" -ne 124 ] || die "credport $* did not finish within 20 s"
  if [ "$want" = nz ]; then
    [ "$rc" -ne 0 ] || die "credport $* succeeded: $(cat "$T/out")"
  else
    [ "$rc" -eq "$want" ] || die "credport $* exited $rc, expected $want: $(cat "$T/err")"
  fi
  grep -Eq -- "$re" "$T/err" || die "credport $*: the error does not say '$re': $(cat "$T/err")"
  say "  $* -> exit $rc: $(head -n 1 "$T/err" | cut -c1-110)"
}
# unchanged WHAT: the node's logs and peer table are as at the start.
unchanged() { [ "$(state)" = "$BEFORE" ] || die "$1 changed the node: $(state)"; }

say "serve --listen with nonsense"
for a in nonsense 127.0.0.1 127.0.0.1: 127.0.0.1:0 127.0.0.1:65536 127.0.0.1:http :4000 \
  "127.0.0.1:80 " 127.0.0.1:-1; do
  fails 2 "--listen: \"$a\" is not HOST:PORT" -d "${D[N]}" serve --listen "$a" --for 2
done
fails 2 'option --listen needs a value' -d "${D[N]}" serve --listen
fails 2 '--for' -d "${D[N]}" serve --listen 127.0.0.1:4000 --for soon
unchanged "serve with a bad --listen or --for"
say "serve --listen on an address it cannot use"
fails nz 'cannot listen on 127\.0\.0\.256:4000' -d "${D[N]}" serve --listen 127.0.0.256:4000 --for 2
start_node P
fails nz "cannot listen on 127\.0\.0\.1:${PORT[P]}: address already in use" \
  -d "${D[N]}" serve --listen "127.0.0.1:${PORT[P]}" --for 2
stop_node P
unchanged "serve on an address it cannot use"

say "peer add with a bad key"
for k in "" 1234 "${KEY[P]}0" "${KEY[P]:1}" "zz${KEY[P]:2}" did:key:z6Mkfoo did:key:; do
  fails 2 'PUBKEY: .* is not a public key' -d "${D[N]}" peer add 127.0.0.1:4000 "$k"
  fails 2 'PUBKEY: .* is not a public key' -d "${D[N]}" peer add --accept "$k"
done
unchanged "peer add with a bad key"
say "peer add with a bad address"
for a in nonsense 127.0.0.1 127.0.0.1:0 127.0.0.1:70000 :4000 127.0.0.1:4x ""; do
  fails 2 "ADDR:PORT: \"$a\" is not HOST:PORT" -d "${D[N]}" peer add "$a" "${KEY[P]}"
done
fails 2 'peer add takes ADDR:PORT PUBKEY' -d "${D[N]}" peer add 127.0.0.1:4000
fails 2 'peer add takes ADDR:PORT PUBKEY' -d "${D[N]}" peer add 127.0.0.1:4000 "${KEY[P]}" extra
fails 2 'peer remove takes one PUBKEY' -d "${D[N]}" peer remove nonsense
fails 2 'unknown peer subcommand' -d "${D[N]}" peer frobnicate
unchanged "peer with a bad address or arguments"

say "sync to a closed port: a clear error, quickly"
# A port nobody listens on: one a node just gave up.
start_node P
closed=${PORT[P]}
stop_node P
t0=$(now_ms)
fails 1 "sync with 127\.0\.0\.1:$closed did not complete: cannot connect to 127\.0\.0\.1:$closed: connection refused" \
  -d "${D[N]}" sync "127.0.0.1:$closed" "${KEY[P]}"
[ $(($(now_ms) - t0)) -lt 10000 ] || die "sync to a closed port took $(($(now_ms) - t0)) ms"
fails 1 'cannot connect' -d "${D[N]}" sync "127.0.0.1:$closed" "${KEY[P]}" --json
grep -q '"synced":false' "$T/out" || die "sync --json to a closed port: $(cat "$T/out")"
grep -q '"error":"cannot connect' "$T/out" || die "sync --json gives no error: $(cat "$T/out")"
unchanged "sync to a closed port"

say "sync with bad arguments"
fails 2 'an ADDR:PORT is required' -d "${D[N]}" sync
fails 2 'an ADDR:PORT is required' -d "${D[N]}" sync nonsense "${KEY[P]}"
fails 2 'an ADDR:PORT is required' -d "${D[N]}" sync 127.0.0.1:0 "${KEY[P]}"
fails 2 'PUBKEY: "1234" is not a public key' -d "${D[N]}" sync "127.0.0.1:$closed" 1234
fails 2 'unexpected argument' -d "${D[N]}" sync "127.0.0.1:$closed" "${KEY[P]}" more
unchanged "sync with bad arguments"

say "commands on a folder with no node"
fails 1 'no node data at' -d "$T/none" serve --listen 127.0.0.1:4000 --for 1
fails 1 'no node data at' -d "$T/none" sync "127.0.0.1:$closed" "${KEY[P]}"
fails 1 'no node data at' -d "$T/none" peer add 127.0.0.1:4000 "${KEY[P]}"
[ ! -e "$T/none" ] || die "a command created $T/none"

say "after all that, the node still works: N and P sync"
"$CP" -d "${D[P]}" peer add --accept "${KEY[N]}" >/dev/null
start_node P
"$CP" -d "${D[N]}" sync "127.0.0.1:${PORT[P]}" "${KEY[P]}" >/dev/null 2>"$T/err" || die "sync: $(cat "$T/err")"
same_heads N P || die "N and P differ after a sync: $(heads N) / $(heads P)"
stop_node P
echo "fed_badinput: all checks passed"
