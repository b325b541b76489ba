#!/usr/bin/env bash
# `credport award --csv`: every row in one transaction or none; a bad row is
# named by row and column; RFC 4180 quoting; CRLF line ends; the header.
# Usage: bash cli_csv.sh PATH-TO-CREDPORT
set -euo pipefail
CP=${1:?usage: cli_csv.sh PATH-TO-CREDPORT}
SAME_SIZE_WHY="a refused import wrote something"
# shellcheck source=cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"

HEADER=credential,educator,earned,assessor,evidence_sha256
E1=$(printf '1%.0s' {1..64})
E2=$(printf '2%.0s' {1..64})
E3=$(printf 'a%.0s' {1..64})
EV=$(printf 'e%.0s' {1..64})

run 0 -d "$D" init --name "CSV Test" --jurisdiction US-WI --role district
run 0 -d "$D" credential define --id c1 --title One --competency one --level 1 --hours 1
run 0 -d "$D" credential define --id c2 --title Two --competency two --level 2 --hours 2
DID=$("$CP" educator keygen --out "$T/e.key" --json | sed -n 's/.*"did":"\([^"]*\)".*/\1/p')

say "a good file imports every row"
{
  echo "$HEADER"
  echo "c1,$E1,2026-01-01,A. Assessor,$EV"
  echo "c2,$E2,2026-01-02,,"
  echo "c1,$E3,2026-01-03,B,"
  echo "c2,$DID,2026-01-04,C,$EV"
  echo "c1,$E1,2026-01-05,,"
} >"$T/good.csv"
run 0 -d "$D" award --csv "$T/good.csv"
has "awarded 5" "$T/out"
same_size 8
run 0 -d "$D" log --from 3 --json
[ "$(grep -o '"type":"award"' "$T/out" | wc -l)" = 5 ] || die "5 awards expected"
has "\"earned\":\"2026-01-05\"" "$T/out"
has "\"evidence_sha256\":\"$EV\"\|\"evidence\":\"$EV\"" "$T/out"

# bad_file NAME LINE-NUMBER BAD-ROW: a 7-row file whose line LINE is BAD-ROW.
bad_file() {
  local f=$T/$1.csv line=$2 bad=$3 i
  echo "$HEADER" >"$f"
  for i in 2 3 4 5 6 7 8; do
    if [ "$i" = "$line" ]; then echo "$bad" >>"$f"; else echo "c1,$E1,2026-02-0$((i % 9 + 1)),x," >>"$f"; fi
  done
  printf '%s' "$f"
}

say "one bad row in the middle imports nothing and names row and column"
S=$(size)
run 1 -d "$D" award --csv "$(bad_file date 5 "c1,$E2,2026-02-30,x,")"
has "line 5" "$T/err"
has "column earned" "$T/err"
same_size "$S"
run 1 -d "$D" award --csv "$(bad_file edu 4 "c2,not-a-key,2026-02-01,x,")"
has "line 4" "$T/err"
has "column educator" "$T/err"
same_size "$S"
run 1 -d "$D" award --csv "$(bad_file cred 6 "c9,$E1,2026-02-01,x,")"
has "line 6" "$T/err"
has "column credential" "$T/err"
same_size "$S"
run 1 -d "$D" award --csv "$(bad_file ev 3 "c1,$E1,2026-02-01,x,xyz")"
has "line 3" "$T/err"
has "column evidence_sha256" "$T/err"
same_size "$S"
run 1 -d "$D" award --csv "$(bad_file short 7 "c1,$E1,2026-02-01")"
has "line 7" "$T/err"
same_size "$S"
run 1 -d "$D" award --csv "$(bad_file long 8 "c1,$E1,2026-02-01,x,,extra")"
has "line 8" "$T/err"
same_size "$S"
run 1 -d "$D" award --csv "$(bad_file utf8 4 "$(printf 'c1,%s,2026-02-01,bad\377\376utf,' "$E1")")"
has "line 4" "$T/err"
has "column assessor" "$T/err"
same_size "$S"
run 1 -d "$D" award --csv "$(bad_file ctl 5 "$(printf 'c1,%s,2026-02-01,ctl\001x,' "$E1")")"
has "line 5" "$T/err"
has "column assessor" "$T/err"
same_size "$S"
run 1 -d "$D" award --csv "$(bad_file toolong 6 "c1,$E1,2026-02-01,$(printf 'a%.0s' {1..1100}),")"
has "line 6" "$T/err"
has "column assessor" "$T/err"
same_size "$S"

say "a huge field is refused while it is read: memory stays bounded"
# 64 MB in one field: the import must stop once the field passes its limit,
# not hold the field whole (peak RSS of the process, in KiB, from time -f %M).
{
  printf '%s\nc1,%s,2026-02-01,x,\nc1,%s,2026-02-01,' "$HEADER" "$E1" "$E1"
  head -c 64000000 /dev/zero | tr '\0' a
  printf ',\n'
} | /usr/bin/time -o "$T/rss" -f %M "$CP" -d "$D" award --csv /dev/stdin >"$T/out" 2>"$T/err" && die "a 64 MB field was accepted"
has "line 3, column assessor" "$T/err"
has "longer than 1024 bytes" "$T/err"
rss=$(tail -n 1 "$T/rss")
# The same refusal for a field just over the limit is the baseline: it holds
# whatever the build adds (a sanitizer's shadow memory), and no field.
{
  printf '%s\nc1,%s,2026-02-01,x,\nc1,%s,2026-02-01,' "$HEADER" "$E1" "$E1"
  head -c 1100 /dev/zero | tr '\0' a
  printf ',\n'
} | /usr/bin/time -o "$T/rss0" -f %M "$CP" -d "$D" award --csv /dev/stdin >"$T/out" 2>"$T/err" && die "a 1100-byte field was accepted"
has "line 3, column assessor" "$T/err"
rss0=$(tail -n 1 "$T/rss0")
[ "$rss" -lt $((rss0 + 16384)) ] ||
  die "peak RSS $rss KiB reading a 64 MB field, $rss0 KiB for one just over the limit (a field must be bounded while it is read)"
same_size "$S"

say "a quoted field of exactly 1024 bytes is accepted wherever the reader's 512-byte steps fall"
# A field's closing quote at the last byte of a 512-byte step (the reader
# once fed its parser in such steps).
pre="$HEADER"$'\n'
body=$(printf 'q%.0s' {1..1024})
row2="c1,$E1,2026-02-02,\"$body\","
for pad in $(seq 1 512); do
  row1="c1,$E1,2026-02-01,$(printf 'p%.0s' $(seq 1 "$pad")),"
  at=$((${#pre} + ${#row1} + 1 + ${#row2} - 2)) # offset of the closing quote
  [ $(((at + 1) % 512)) = 0 ] && break
done
printf '%s%s\n%s\n' "$pre" "$row1" "$row2" >"$T/edge.csv"
[ "$(head -c $((at + 1)) "$T/edge.csv" | tail -c 2)" = "q\"" ] || die "edge.csv: the quote is not at byte $at"
run 0 -d "$D" award --csv "$T/edge.csv"
has "awarded 2" "$T/out"
S=$((S + 2))
same_size "$S"

say "spaces are part of a field (RFC 4180): a padded date is refused, not trimmed"
printf '%s\nc1,%s, 2026-02-01,x,\n' "$HEADER" "$E1" >"$T/spaces.csv"
run 1 -d "$D" award --csv "$T/spaces.csv"
has "line 2, column earned" "$T/err"
same_size "$S"

say "a NUL byte in a field is refused, naming row and column"
printf '%s\nc1,%s,2026-02-01,x,\nc1\0EVIL,%s,2026-02-01,x,\n' "$HEADER" "$E1" "$E1" >"$T/nul.csv"
run 1 -d "$D" award --csv "$T/nul.csv"
has "line 3, column credential" "$T/err"
has "NUL" "$T/err"
same_size "$S"
printf '%s\nc1,%s,2026-02-01,"a\0b",\n' "$HEADER" "$E1" >"$T/nulq.csv"
run 1 -d "$D" award --csv "$T/nulq.csv"
has "line 2, column assessor" "$T/err"
same_size "$S"
printf '%s\nc1,%s,2026-02-01,x,\0\n' "$HEADER" "$E1" >"$T/nulx.csv"
run 1 -d "$D" award --csv "$T/nulx.csv"
has "line 2, column evidence_sha256" "$T/err"
same_size "$S"

say "the last of many rows bad: nothing imported"
awk -v e="$E1" -v h="$HEADER" 'BEGIN { print h; for (i = 0; i < 3000; i++) printf "c1,%064x,2026-03-01,r%d,\n", i + 5000, i; print "c1," e ",2026-03-32,last," }' >"$T/lastbad.csv"
run 1 -d "$D" award --csv "$T/lastbad.csv"
has "line 3002" "$T/err"
same_size "$S"

say "quoted fields: commas, doubled quotes"
{
  echo "$HEADER"
  echo "\"c1\",\"$E1\",\"2026-04-01\",\"Smith, J.\",\"\""
  echo "c2,$E2,2026-04-02,\"He said \"\"fine\"\"\","
} >"$T/quoted.csv"
run 0 -d "$D" award --csv "$T/quoted.csv"
has "awarded 2" "$T/out"
run 0 -d "$D" log --from "$S" --json
has '"assessor":"Smith, J."' "$T/out"
has '"assessor":"He said \\"fine\\""' "$T/out"
S=$((S + 2))
same_size "$S"
say "a quoted line break is read, but an assessor's name is one line: refused"
{
  echo "$HEADER"
  printf 'c1,%s,2026-04-03,"two\nlines",\n' "$E3"
} >"$T/twolines.csv"
run 1 -d "$D" award --csv "$T/twolines.csv"
has "line 2, column assessor: award.assessor: line feed U+000A at position 4" "$T/err"
same_size "$S"

say "CRLF line ends"
printf '%s\r\nc1,%s,2026-05-01,Crlf,\r\nc2,%s,2026-05-02,,%s\r\n' "$HEADER" "$E1" "$E2" "$EV" >"$T/crlf.csv"
run 0 -d "$D" award --csv "$T/crlf.csv"
has "awarded 2" "$T/out"
run 0 -d "$D" log --from "$S" --json
has '"assessor":"Crlf"' "$T/out"
if grep -q '\\r' "$T/out"; then die "a carriage return reached the ledger"; fi
S=$((S + 2))
same_size "$S"

say "no trailing newline"
printf '%s\nc1,%s,2026-05-03,NoEol,' "$HEADER" "$E1" >"$T/noeol.csv"
run 0 -d "$D" award --csv "$T/noeol.csv"
has "awarded 1" "$T/out"
S=$((S + 1))
same_size "$S"

say "header missing or wrong: refused; reordered or without the optional columns: read by name"
printf 'c1,%s,2026-06-01,x,\nc1,%s,2026-06-02,x,\n' "$E1" "$E1" >"$T/nohdr.csv"
run 1 -d "$D" award --csv "$T/nohdr.csv"
has "line 1: the header's column 1, \"c1\", is not one this file may have" "$T/err"
same_size "$S"
printf 'educator,credential,earned,assessor,evidence_sha256\n%s,c1,2026-06-01,x,\n' "$E1" >"$T/swapped.csv"
run 0 -d "$D" award --csv "$T/swapped.csv"
has "awarded 1 credential from" "$T/out"
printf 'credential,educator,earned\nc1,%s,2026-06-02\n' "$E1" >"$T/shorthdr.csv"
run 0 -d "$D" award --csv "$T/shorthdr.csv"
has "awarded 1 credential from" "$T/out"
run 0 -d "$D" log --from "$S" --json
has '"earned":"2026-06-01"' "$T/out"
has '"earned":"2026-06-02"' "$T/out"
S=$((S + 2))
same_size "$S"
printf 'credential,earned,assessor\nc1,2026-06-03,x\n' >"$T/noedu.csv"
run 1 -d "$D" award --csv "$T/noedu.csv"
has 'line 1: the header has no column "educator"' "$T/err"
: >"$T/empty.csv"
run 1 -d "$D" award --csv "$T/empty.csv"
printf 'c1,%s,2026-06-01,"unterminated,\n' "$E1" | cat <(echo "$HEADER") - >"$T/unterminated.csv"
run 1 -d "$D" award --csv "$T/unterminated.csv"
run 1 -d "$D" award --csv "$T/does-not-exist.csv"
run 2 -d "$D" award --csv "$T/good.csv" --credential c1
same_size "$S"

say "a header-only file awards nothing"
echo "$HEADER" >"$T/hdronly.csv"
run 0 -d "$D" award --csv "$T/hdronly.csv"
has "awarded 0" "$T/out"
same_size "$S"

say "parallel writers: six single awards and an import at once, all land"
awk -v h="$HEADER" 'BEGIN { print h; for (i = 0; i < 2000; i++) printf "c2,%064x,2026-07-01,p%d,\n", i + 100, i }' >"$T/par.csv"
pids=()
for i in 1 2 3 4 5 6; do
  "$CP" -d "$D" award --credential c1 --educator "$(printf '%064x' "$i")" --earned 2026-07-0"$i" \
    >"$T/par$i.out" 2>&1 &
  pids+=($!)
done
"$CP" -d "$D" award --csv "$T/par.csv" >"$T/parcsv.out" 2>&1 &
pids+=($!)
for p in "${pids[@]}"; do wait "$p" || { cat "$T"/par*.out; die "a parallel writer failed"; }; done
S=$((S + 6 + 2000))
same_size "$S"

say "audit is clean after all of it"
run 0 -d "$D" audit
echo "cli_csv: all checks passed"
