#!/usr/bin/env bash
# tearline partner: recording partners, granting them secrets (kept only as
# argon2id hashes), and the errors for bad input.
. "$(dirname "$0")/lib.sh"
export TEARLINE_HOME="$TMP/usa"
"$TEARLINE" init --name usa >/dev/null || exit 1
KEY=$(printf 'ab%.0s' $(seq 32))

run partner add rus --url https://rus.example/api/ --key "$KEY" --credential usa:s3cret
expect_status 0 "add"
run partner add gbr
expect_status 0 "add without details"
run partner list
expect_status 0 "list"
expect_out_line "gbr          -  key -  credential no  secret none" "gbr listed"
expect_out_line "rus          https://rus.example/api/  key $KEY  credential yes  secret none" "rus listed"

run partner grant rus
expect_status 0 "grant"
SECRET=$(awk '/HTTP Basic/{print $NF}' "$TMP/out")
[ ${#SECRET} -eq 64 ] && pass || fail "a 64-digit secret: $OUT"
expect_out_line "  bearer token: rus.$SECRET" "bearer form"
HASH=$(sql "$TMP/usa" "select secret_hash from partners where code = 'rus'")
case "$HASH" in '$argon2id$'*) pass ;; *) fail "an argon2id hash is stored: $HASH" ;; esac
if dump "$TMP/usa" | grep -q "$SECRET"; then fail "the secret is stored"; else pass; fi
# updating one detail keeps the others and the grant
run partner add rus --url https://rus.example/taxii/
expect_status 0 "update"
run partner list
expect_out_line "rus          https://rus.example/taxii/  key $KEY  credential yes  secret granted" "rus updated"

run partner grant fra
expect_status 1 "grant to an unknown partner"
expect_err_line "tearline partner: 'fra' is not a known partner" "unknown partner message"
run partner add usa
expect_status 2 "our own code"
run partner add rus --key 1234
expect_status 2 "a short key"
expect_err_line "tearline partner: partner rus: the public key must be 64 lower-case hex digits" "bad key message"
run partner add rus --url ftp://x/
expect_status 2 "a bad URL"
run partner add rus --credential "has space"
expect_status 2 "a bad credential"
echo "usa:from-stdin" | "$TEARLINE" partner add gbr --credential - >/dev/null && pass || fail "credential from stdin"
run partner list
expect_out_line "gbr          -  key -  credential yes  secret none" "gbr credential from stdin"
finish
