#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, then the installed pieces are
# used as a packager and an operator would use them: the installed binary
# runs and makes a node; every command listed by `credport --help` has its
# man page; the headers, libcredport (shared and static) and its pkg-config
# file build a program that reads that node's ledger; the systemd unit runs
# the installed binary with the hardening OPERATIONS.md promises.
set -euo pipefail
CP=$1
SRC=$(cd "$(dirname "$0")/../.." && pwd)
B=$(dirname "$CP")
. "$(dirname "$0")/cli_lib.sh"

P=$T/prefix
say "cmake --install puts everything under the prefix"
cmake --install "$B" --prefix "$P" >"$T/install.log" 2>&1 || { cat "$T/install.log"; die "cmake --install failed"; }
for f in bin/credport lib/libcredport.a lib/libcredport.so lib/pkgconfig/credport.pc \
         share/man/man1/credport.1 share/doc/credport/credport.env.example \
         share/doc/credport/OPERATIONS.md lib/systemd/system/credport.service \
         lib/sysusers.d/credport.conf; do
  [ -e "$P/$f" ] || die "$f is not installed"
done
for h in "$SRC"/include/credport/*.h; do
  cmp -s "$h" "$P/include/credport/$(basename "$h")" || die "header $(basename "$h") not installed"
done

say "the installed binary runs and makes a node"
IB=$P/bin/credport
ver=$(sed -n 's/^project(credport VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
[ -n "$ver" ] || die "no version in CMakeLists.txt"
"$IB" --version >"$T/v" && has "credport $ver" "$T/v"
"$IB" -d "$T/n" init --name "Installed" --jurisdiction US-NC --role state >/dev/null
"$IB" -d "$T/n" whoami --json >"$T/who"
key=$(jstr public_key "$T/who")
[ ${#key} = 64 ] || die "whoami gave no key"

say "a man page for credport and for every command, each with its usage"
"$IB" --help >"$T/help"
cmds=$(sed -n '/^commands:/,$ s/^  \([a-z][a-z0-9-]*\) .*/\1/p' "$T/help")
[ "$(printf '%s\n' "$cmds" | wc -l)" -ge 20 ] || die "too few commands in --help: $cmds"
grepq '^\.TH CREDPORT "1"' "$P/share/man/man1/credport.1" || die "credport.1 has no title"
for c in $cmds; do
  m=$P/share/man/man1/credport-$c.1
  [ -s "$m" ] || die "no man page for $c"
  grepq "^credport-$c \\\\- " "$m" || die "credport-$c.1 has no NAME line"
  # The first word after "usage:" in the page is the command's usage, as --help says.
  "$IB" "$c" --help >"$T/ch" 2>&1 || die "credport $c --help exited non-zero"
  u=$(head -1 "$T/ch" | sed 's/^usage: //; s/ .*//')
  grepq "usage: $u" "$m" || die "credport-$c.1 lacks its usage"
done

say "libcredport and credport.pc build a program that reads the node's ledger"
cat >"$T/reader.c" <<'C'
#include <credport/codec.h>
#include <credport/store.h>
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
  /* did:key method specification example (Ed25519VerificationKey2018) */
  uint8_t pk[CP_PK_BYTES];
  char b58[64];
  size_t n = 0;
  if (cp_didkey_decode("did:key:z6MkpVCWpibzht7gFFkBsnNigRvXiQWQgV2vqq8eN8zGkGGN", pk) != CP_OK ||
      cp_b58_encode(pk, sizeof pk, b58, sizeof b58, &n) != CP_OK ||
      strcmp(b58, "B2wUEUMZNLdD8kuVCDQsqLNXtqEZGbna9pDiXs2Fq3Uz") != 0)
    return 3;
  cp_store *s = NULL;
  cp_reader *r = NULL;
  cp_diag d = {{0}};
  if (argc != 2 || cp_store_open(argv[1], CP_STORE_RDONLY, &s, &d) != CP_OK) {
    fprintf(stderr, "open: %s\n", d.msg);
    return 4;
  }
  uint8_t log[CP_PK_BYTES];
  char hex[2 * CP_PK_BYTES + 1];
  if (cp_reader_begin(s, &r) != CP_OK || cp_reader_self(r, log) != CP_OK) return 5;
  cp_hex_encode(log, sizeof log, hex);
  printf("%s\n", hex);
  cp_reader_end(r);
  cp_store_close(s);
  return 0;
}
C
export PKG_CONFIG_PATH=$P/lib/pkgconfig
# A sanitizer build's library needs its runtime in the program too.
san=()
if grepq '^CP_SANITIZE:BOOL=ON' "$B/CMakeCache.txt"; then san=(-fsanitize=address,undefined); fi
if grepq '^CP_TSAN:BOOL=ON' "$B/CMakeCache.txt"; then san=(-fsanitize=thread); fi
[ "$(pkg-config --modversion credport)" = "$ver" ] || die "credport.pc version is not $ver"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror "${san[@]}" -o "$T/reader-shared" "$T/reader.c" $(pkg-config --cflags --libs credport)
LD_LIBRARY_PATH=$P/lib "$T/reader-shared" "$T/n/ledger" >"$T/r1" || die "shared reader exited $?"
[ "$(cat "$T/r1")" = "$key" ] || die "shared reader read $(cat "$T/r1"), want $key"
LD_LIBRARY_PATH=$P/lib ldd "$T/reader-shared" | grepq "libcredport.so.0 => $P/lib" || die "not linked against the installed libcredport.so"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror "${san[@]}" -o "$T/reader-static" "$T/reader.c" \
  $(pkg-config --cflags credport) "$P/lib/libcredport.a" $(pkg-config --static --libs-only-l --libs-only-other credport | sed 's/-lcredport//')
"$T/reader-static" "$T/n/ledger" >"$T/r2" || die "static reader exited $?"
[ "$(cat "$T/r2")" = "$key" ] || die "static reader read $(cat "$T/r2")"
if ldd "$T/reader-static" | grepq libcredport; then die "static reader still needs libcredport.so"; fi

say "the systemd unit runs the installed binary, hardened"
U=$P/lib/systemd/system/credport.service
grepq "^ExecStart=$P/bin/credport -d /var/lib/credport serve --listen " "$U" || die "ExecStart is not the installed binary"
for k in User=credport StateDirectory=credport NoNewPrivileges=yes ProtectSystem=strict \
         ProtectHome=yes PrivateTmp=yes CapabilityBoundingSet= "EnvironmentFile=-$P/etc/credport/credport.env"; do
  grepq "^$k\$" "$U" || die "unit lacks $k"
done
# Every directive is known to this systemd and every value valid: verify
# says nothing at all (tools/setup installs systemd for systemd-analyze).
command -v systemd-analyze >/dev/null || die "systemd-analyze is missing (tools/setup installs systemd)"
systemd-analyze verify --man=no "$U" >"$T/sa" 2>&1 || { cat "$T/sa"; die "systemd-analyze verify failed"; }
[ ! -s "$T/sa" ] || { cat "$T/sa"; die "systemd-analyze verify complains about the unit"; }
say "systemd-sysusers makes the credport user the unit runs as"
mkdir -p "$T/root/etc"
systemd-sysusers --root="$T/root" "$P/lib/sysusers.d/credport.conf" >"$T/su" 2>&1 || { cat "$T/su"; die "systemd-sysusers refused credport.conf"; }
grepq '^credport:x:[0-9]*:[0-9]*:[^:]*:/var/lib/credport:' "$T/root/etc/passwd" || die "no credport user made"
grepq "^CREDPORT_LISTEN=" "$P/share/doc/credport/credport.env.example" || die "env example lacks CREDPORT_LISTEN"
say "ok"
