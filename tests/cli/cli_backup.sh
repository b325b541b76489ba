#!/usr/bin/env bash
# Backup and restore as docs/OPERATIONS.md ("Backups") tells an operator to
# do them, step by step: `backup FOLDER` leaves the secret keys out and names
# them; `restore FOLDER` asks for them (--key, --witness-key), refuses a key
# that does not sign the backup's log, and leaves a node that must sync (or be
# told it never had partners) before it appends; `--with-keys` makes a
# backup that restores alone.
set -euo pipefail
CP=$1
. "$(dirname "$0")/cli_lib.sh"

run 0 -d "$D" init --name "Backup Office" --jurisdiction US-NC --role state
run 0 -d "$D" credential define --id b1 --title "Backed Up" --competency x --level 1 --hours 1
run 0 -d "$D" award --credential b1 --educator "$(printf '%064x' 9)" --earned 2026-01-02
run 0 -d "$D" whoami --json
KEY=$(jstr public_key "$T/out")
WV=$(jstr witness_vkey "$T/out")
SIZE=$(sed -n 's/.*"size":\([0-9]*\).*/\1/p' "$T/out")

say "credport -d DIR backup FOLDER: ledger and own-head, the keys named and left out"
run 0 -d "$D" backup "$T/backup-1"
has "not in it, the secret keys: $D/authority.key and $D/witness.key" "$T/out"
[ -f "$T/backup-1/ledger/data.mdb" ] && [ -f "$T/backup-1/ledger/own-head" ] || die "parts missing"
[ ! -e "$T/backup-1/authority.key" ] && [ ! -e "$T/backup-1/witness.key" ] || die "a key is in the backup"
mkdir -p "$T/offline"
cp -p "$D/authority.key" "$D/witness.key" "$T/offline/"

say "restore without the key: refused, naming --key, nothing written"
run 2 -d "$T/restored" restore "$T/backup-1"
has "holds no authority key" "$T/err"
has "give --key FILE" "$T/err"
[ ! -e "$T/restored" ] || die "a refused restore wrote $T/restored"

say "restore with another node's key: refused, nothing kept"
run 0 -d "$T/other" init --name "Other" --jurisdiction US-SC --role state
run 1 -d "$T/restored" restore "$T/backup-1" --key "$T/other/authority.key"
has "is not the signing key of the backup's log (${KEY:0:16}…)" "$T/err"
[ ! -e "$T/restored/ledger/data.mdb" ] || die "a refused restore kept the ledger"

say "restore with the offline keys: the same node, which must sync before it appends"
run 0 -d "$T/restored" restore "$T/backup-1" --key "$T/offline/authority.key" \
  --witness-key "$T/offline/witness.key"
has "appending is refused until a sync" "$T/out"
run 0 -d "$T/restored" whoami --json
[ "$(jstr public_key "$T/out")" = "$KEY" ] || die "restored another key"
[ "$(jstr witness_vkey "$T/out")" = "$WV" ] || die "restored another witness key"
[ "$(sed -n 's/.*"size":\([0-9]*\).*/\1/p' "$T/out")" = "$SIZE" ] || die "restored another size"
run 1 -d "$T/restored" award --credential b1 --educator "$(printf '%064x' 10)" --earned 2026-01-03
has "sync with a partner first" "$T/err"
run 0 -d "$T/restored" own-head --no-partners
run 0 -d "$T/restored" award --credential b1 --educator "$(printf '%064x' 10)" --earned 2026-01-03
run 0 -d "$T/restored" audit

say "backup --with-keys: the folder restores alone"
run 0 -d "$D" backup "$T/backup-2" --with-keys
has "and the secret keys (keep this folder offline)" "$T/out"
[ "$(stat -c %a "$T/backup-2/authority.key")" = 600 ] || die "the key in the backup is not 0600"
run 0 -d "$T/restored-2" restore "$T/backup-2"
lacks "no witness key was restored" "$T/out"
run 0 -d "$T/restored-2" whoami --json
[ "$(jstr public_key "$T/out")" = "$KEY" ] || die "restored another key"
say "ok"
