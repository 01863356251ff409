#!/usr/bin/env bash
# Each class of bad input gets one exact, specific error and stores nothing.
. "$(dirname "$0")/lib.sh"
export TEARLINE_HOME="$TMP/node"
"$TEARLINE" init --name rus >/dev/null || { echo "init failed"; exit 1; }

count() { "$TEARLINE" list --json --all-versions | grep -c ''; }
BEFORE=$(count)

T='"2016-04-06T20:03:48.000Z"'
ind() { # ind SUFFIX EXTRA
  printf '{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd%s","created":%s,"modified":%s,"pattern":"[x:y = '"'"'z'"'"']","pattern_type":"stix","valid_from":%s%s}' "$1" "$T" "$T" "$T" "$2"
}

# col_of FILE LINE TEXT: 1-based column (in characters) of TEXT on line LINE of FILE
col_of() {
  python3 -c 'import sys; l=open(sys.argv[1],encoding="utf-8",errors="surrogateescape").read().split("\n")[int(sys.argv[2])-1]; print(l.index(sys.argv[3])+1)' "$@"
}

check() { # check FILE EXPECTED-LINE WHAT
  run ingest "$1"
  expect_status 2 "$3: exit"
  expect_err_line "tearline ingest: $2" "$3"
  expect_eq "$(count)" "$BEFORE" "$3: nothing stored"
}

F="$TMP/in.json"
# malformed JSON, with its position
{ echo '['; ind 01 ''; echo ','; echo '  {"type": "indicator", "id" 5}]'; } > "$F"
check "$F" "$F:3:$(col_of "$F" 3 '5}'): malformed JSON: ':' expected near '5'" "malformed JSON"
# duplicate keys
{ echo '['; ind 01 ',"name":"a","name":"b"'; echo ']'; } > "$F"
# jansson reports the duplicate at the end of the repeated name
check "$F" "$F:2:$(( $(col_of "$F" 2 '"name":"b"') + 5 )): malformed JSON: duplicate object key near '\"name\"'" "duplicate key"
# invalid UTF-8
{ echo '['; ind 01 ',"name":"'; printf '\xff"'; echo '}]'; } > "$F"
check "$F" "$F:2:$(( $(col_of "$F" 2 '"}]') - 1 )): malformed JSON: invalid UTF-8: unable to decode byte 0xff near '\"}'" "invalid UTF-8"
# a bad property value: line, column of the property, object id, property, what was expected
{ echo '['; ind 01 ''; echo ','; ind 02 '' | sed 's/}$/,/'; echo; echo '   "confidence": "high"}]'; } > "$F"
check "$F" "$F:$(grep -n confidence "$F" | cut -d: -f1):4: object indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd02: 'confidence' must be an integer" "bad confidence"
# a missing required property
{ echo '[{"type":"report","spec_version":"2.1","id":"report--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd02",'; echo "\"created\":$T,\"modified\":$T,\"published\":$T,\"object_refs\":[\"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd02\"]}]"; } > "$F"
check "$F" "$F:1:2: object report--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd02: 'name' is required but missing" "missing name"
# a bad timestamp
{ ind 03 ',"valid_until":"2016-13-01T00:00:00Z"'; } > "$F"
check "$F" "$F:1:$(col_of "$F" 1 '"valid_until"'): object indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd03: 'valid_until' is not an RFC 3339 timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z): '2016-13-01T00:00:00Z'" "bad timestamp"
# a reference of the wrong type
{ ind 04 ',"created_by_ref":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd01"'; } > "$F"
check "$F" "$F:1:$(col_of "$F" 1 '"created_by_ref"'): object indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd04: 'created_by_ref' must refer to identity, not 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd01'" "wrong ref type"
# a granular marking selector that points nowhere
{ ind 05 ',"granular_markings":[{"selectors":["description"],"marking_ref":"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"}]'; } > "$F"
check "$F" "$F:1:$(col_of "$F" 1 '"description"'): object indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd05: 'granular_markings[0].selectors[0]' selects 'description', which is not in the object" "dangling selector"
# a number JSON cannot carry exactly (found by fuzzing: it could not be read back)
ind 07 ',"x_count":2E19' > "$F"
check "$F" "$F:1:1: object indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd07: the number 20000000000000000000 is beyond +/-(2^53-1), which JSON cannot carry exactly" "inexact number"
# a size limit
ind 06 '' > "$F"
run ingest --max-object-bytes 100 "$F"
expect_status 2 "object too large"
expect_err_line "tearline ingest: $F:1:1: an object is larger than the limit of 100 bytes" "object too large message"
run ingest --max-input-bytes 10 "$F"
expect_status 2 "input too large"
expect_err_line "tearline ingest: $F: input is larger than the limit of 10 bytes" "input too large message"
# one bad object among many valid ones stores nothing; --skip-invalid stores the rest
python3 - "$F" <<'PY'
import json, sys, uuid
objs = []
for i in range(2000):
    objs.append({"type": "indicator", "spec_version": "2.1", "id": "indicator--" + str(uuid.uuid4()),
                 "created": "2016-04-06T20:03:48.000Z", "modified": "2016-04-06T20:03:48.000Z",
                 "pattern": "[x:y = 'z']", "pattern_type": "stix", "valid_from": "2016-04-06T20:03:48.000Z"})
objs[1500]["confidence"] = 500
json.dump({"type": "bundle", "id": "bundle--" + str(uuid.uuid4()), "objects": objs}, open(sys.argv[1], "w"), indent=1)
PY
run ingest "$F"
expect_status 2 "one bad object in 2000"
expect_eq "$(count)" "$BEFORE" "nothing stored from 2000"
run ingest --skip-invalid "$F"
expect_status 2 "--skip-invalid exit"
expect_out_contains "2000 objects read: 1999 stored, 0 already held, 1 rejected" "--skip-invalid counts"
if grep -q "^rejected: $F:[0-9]*:[0-9]*: object indicator--.*: 'confidence' must be an integer from 0 to 100, not 500$" "$TMP/err"; then pass; else fail "--skip-invalid lists the rejected object: $ERR"; fi
expect_eq "$(count)" "$((BEFORE + 1999))" "1999 stored"
# a changed version is refused
NOW=$(count)
sed 's/"pattern_type": "stix"/"pattern_type": "stix", "name": "changed"/' "$F" | python3 -c '
import json,sys; d=json.load(sys.stdin); d["objects"]=d["objects"][:3]; json.dump(d,sys.stdout)' > "$TMP/changed.json"
run ingest "$TMP/changed.json"
expect_status 2 "changed content under the same version"
if grep -q "is already stored with different content" "$TMP/err"; then pass; else fail "conflict message: $ERR"; fi
expect_eq "$(count)" "$NOW" "conflict stored nothing"
# missing file
run ingest "$TMP/none.json"
expect_status 1 "missing file"
expect_err_line "tearline ingest: $TMP/none.json: cannot open: No such file or directory" "missing file message"
finish
