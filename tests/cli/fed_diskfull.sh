#!/usr/bin/env bash
# A full disk and a full ledger map: the node says so ("no space left on
# device", "ledger map full: raise it with credport map-size"), blames no
# partner (event=local-fault, never event=refused), keeps what it stored
# (audit clean), and goes on once there is room: a running serve completes
# the next sync without a restart.
# The small disk is a tmpfs the script mounts: as root, as root of a new
# user namespace, or through sudo.
# Usage: bash fed_diskfull.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: fed_diskfull.sh PATH-TO-CREDPORT}
if [ "$(id -u)" != 0 ] && [ -z "${CP_FULL_NS:-}" ]; then
  if unshare --user --map-root-user --mount true 2>/dev/null; then
    CP_FULL_NS=1 exec unshare --user --map-root-user --mount bash "$0" "$@"
  elif sudo -n true 2>/dev/null; then
    exec sudo -n env CP_FULL_NS=1 bash "$0" "$@"
  fi
  echo "FAIL: mounting a small tmpfs needs root, user namespaces or sudo" >&2
  exit 1
fi
# shellcheck source=fed_lib.sh
. "$(dirname "$0")/fed_lib.sh"

MNT=$T/mnt
mkdir "$MNT"
mount -t tmpfs -o size=16m,mode=0700 credport-full "$MNT" ||
  die "cannot mount a tmpfs of 16 MiB at $MNT"
full_cleanup() {
  local n
  for n in "${!PID[@]}"; do
    if [ -n "${PID[$n]}" ]; then kill -9 "${PID[$n]}" 2>/dev/null || true; fi
  done
  for n in "${!PID[@]}"; do
    if [ -n "${PID[$n]}" ]; then wait "${PID[$n]}" 2>/dev/null || true; fi
  done
  umount -l "$MNT" 2>/dev/null || true
  fed_cleanup
}
trap full_cleanup EXIT

# fill: leaves about $1 KiB free on the tmpfs.
fill() {
  local avail
  avail=$(df --output=avail -k "$MNT" | tail -1)
  rm -f "$MNT/ballast"
  avail=$(df --output=avail -k "$MNT" | tail -1)
  [ "$avail" -gt "$1" ] || die "the tmpfs has only $avail KiB free"
  dd if=/dev/zero of="$MNT/ballast" bs=1k count=$((avail - $1)) status=none 2>/dev/null || true
}
holds_a() { [ "$(log_size "$1" "${KEY[A]}")" = "$size_a" ]; }
no_refusals() {
  ! grep -q 'event=refused' "${LOGF[$1]}" || die "$1 blamed a partner for its own fault"
}

node_init A US-NC
issue A 3000 200
size_a=$(own_size A)
start_node A
node_init B US-WY
mv "${D[B]}" "$MNT/B"
D[B]=$MNT/B
"$CP" -d "${D[B]}" peer add "127.0.0.1:${PORT[A]}" "${KEY[A]}" >/dev/null
"$CP" -d "${D[A]}" peer add --accept "${KEY[B]}" >/dev/null
# A reads its peer table when it starts.
stop_node A
start_node A "${PORT[A]}" || die "A could not listen on its port again"

say "disk full under a running serve: B's syncs fail, logged as its own fault"
fill 256
start_node B
wait_for 20 grep -q 'event=local-fault.*no space left on device' "${LOGF[B]}" ||
  die "B did not log the full disk as its own fault"
! grep -q 'Input/output error' "${LOGF[B]}" || die "B reported the full disk as an I/O error"
no_refusals B
held=$(log_size B "${KEY[A]}")
[ "${held:-0}" -lt "$size_a" ] || die "B stored all of A on a full disk?"
audit_clean B

say "space returns: the same serve process completes the sync by itself"
pid=${PID[B]}
rm -f "$MNT/ballast"
wait_for 45 holds_a B ||
  die "B did not get A's $size_a entries after space returned ($(log_size B "${KEY[A]}"))"
kill -0 "$pid" || die "B's serve did not survive"
no_refusals B
stop_node B
audit_clean B

say "disk full under award: refused with the reason, nothing changed, then it works"
printf 'credential,educator,earned,assessor,evidence_sha256\n' >"$T/many.csv"
for ((i = 1; i <= 3000; i++)); do
  printf 'c1,%064x,2026-01-01,assessor %d %0200d,\n' "$i" "$i" 0 >>"$T/many.csv"
done
"$CP" -d "${D[B]}" credential define --id c1 --title "One of B" --competency one --level 1 \
  --hours 1 >/dev/null || die "credential define on B"
before=$(own_size B)
fill 256
rc=0
out=$("$CP" -d "${D[B]}" award --csv "$T/many.csv" 2>&1) || rc=$?
[ "$rc" -ne 0 ] || die "award on a full disk reported success"
grep -q 'no space left on device' <<<"$out" || die "award did not say the disk is full: $out"
[ "$(own_size B)" -eq "$before" ] || die "the failed award changed B's log"
audit_clean B
rm -f "$MNT/ballast"
"$CP" -d "${D[B]}" award --csv "$T/many.csv" >/dev/null || die "award after space returned"
[ "$(own_size B)" -eq $((before + 3000)) ] || die "B's log did not grow by 3000"
audit_clean B

say "ledger map full under serve: named, not blamed on the partner; raised, it completes"
node_init C US-ID
mv "${D[C]}" "$MNT/C"
D[C]=$MNT/C
"$CP" -d "${D[C]}" peer add "127.0.0.1:${PORT[A]}" "${KEY[A]}" >/dev/null
"$CP" -d "${D[A]}" peer add --accept "${KEY[C]}" >/dev/null
stop_node A
start_node A "${PORT[A]}" || die "A could not listen on its port again"
"$CP" -d "${D[C]}" map-size 512K >/dev/null || die "map-size 512K"
start_node C
wait_for 20 grep -q 'event=local-fault.*ledger map full: raise it with credport map-size' \
  "${LOGF[C]}" || die "C did not log the full map as its own fault, saying how to raise it"
no_refusals C
stop_node C
audit_clean C
"$CP" -d "${D[C]}" map-size 64M >/dev/null || die "map-size 64M"
start_node C
wait_for 30 holds_a C ||
  die "C did not get A's $size_a entries after the map was raised"
stop_node C
audit_clean C
stop_node A
say "ok"
