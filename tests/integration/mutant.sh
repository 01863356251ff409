#!/usr/bin/env bash
# Mutation test: a tearline whose sanitizer is deliberately broken ($1: 1 no
# redaction, 2 original ids kept) must be stopped by the independent verifier,
# with nothing published.
. "$(dirname "$0")/lib.sh"
: "${TEARLINE_MUTANT:?}"
U="$TMP/usa"
for p in usa rus; do "$TEARLINE" init --home "$TMP/$p" --name $p > "$TMP/$p.txt" || exit 1; done
key() { awk '/public key/{print $3}' "$TMP/$1.txt"; }
ID=agreement--6c0f3a9e-2b1d-4c8e-9f7a-1e2d3c4b5a69
sed -e "s/@PKU@/$(key usa)/" -e "s/@PKR@/$(key rus)/" "$TL_SRC/tests/data/agreement.json" > "$TMP/a.json"
export TEARLINE_HOME="$U"
countersign "$U" "$TMP/rus" "$ID" "$TMP/a.json" || { echo "setup failed"; exit 1; }
"$TEARLINE" ingest "$TL_SRC/tests/data/release-holdings.json" >/dev/null || exit 1
"$TEARLINE" protect add --kind station "Station Alpha" >/dev/null

# the real compiler passes the verifier
run release --to rus --dry-run
expect_status 0 "the real compiler"

TEARLINE="$TEARLINE_MUTANT"
run release --to rus
expect_status 2 "mutant $1 is stopped"
# the finding names the object, what was found and the field
case "$1" in
1) want="the copy of threat-actor--3b2f0a9c-4d5e-4f60-8a1b-2c3d4e5f6a7b contains protected term 'cardamom' in 'description'" ;; # the source's name, the first protected term in the text
2) want="the copy of threat-actor--3b2f0a9c-4d5e-4f60-8a1b-2c3d4e5f6a7b contains original identifier threat-actor--3b2f0a9c-4d5e-4f60-8a1b-2c3d4e5f6a7b in 'id'" ;;
esac
if grep -qF "tearline release: release to rus stopped by the verifier: $want; nothing was published" "$TMP/err"; then pass; else fail "verifier message: $ERR"; fi
expect_eq "$(sql "$U" 'select count(*) from outbox')" "0" "nothing published"
finish
