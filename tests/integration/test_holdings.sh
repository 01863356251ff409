#!/usr/bin/env bash
# The tearline command end to end: init, ingest, list, get, export, protect, stats.
. "$(dirname "$0")/lib.sh"
EX="$TL_SHARED/data/stix2/examples"
export TEARLINE_HOME="$TMP/usa"

run init --name usa --title "United States node"
expect_status 0 "init"
expect_eq "$(stat -c %a "$TEARLINE_HOME/identity.key")" "600" "identity.key mode"
run init --name usa
expect_status 2 "second init"
expect_err_line "tearline init: $TEARLINE_HOME: a tearline node already exists here" "second init message"

# Every OASIS example ingests, and exports back equal in canonical form.
FILES=("$EX"/*.json "$EX"/threat-reports/*.json)
run ingest "${FILES[@]}"
expect_status 0 "ingest examples"
expect_out_contains "260 objects read: 259 stored, 1 already held, 0 rejected" "ingest counts"

python3 - "$TMP/canon-in.jsonl" "${FILES[@]}" <<'PY'
import json, sys
out = open(sys.argv[1], "w")
seen = {}
for f in sys.argv[2:]:
    d = json.load(open(f))
    objs = d["objects"] if isinstance(d, dict) and "objects" in d else [d]
    for o in objs:
        seen[(o["id"], o.get("modified", o.get("created", "")))] = o
for k in sorted(seen):
    out.write(json.dumps(seen[k], sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n")
PY
"$TEARLINE" export --origin own > "$TMP/export.json"; STATUS=$?
expect_status 0 "export"
python3 - "$TMP/export.json" "$TMP/canon-out.jsonl" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["type"] == "bundle" and d["id"].startswith("bundle--")
rows = {}
for o in d["objects"]:
    if o.get("x_tearline_node"):
        continue  # the node's own identity
    rows[(o["id"], o.get("modified", o.get("created", "")))] = o
with open(sys.argv[2], "w") as out:
    for k in sorted(rows):
        out.write(json.dumps(rows[k], sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n")
PY
if cmp -s "$TMP/canon-in.jsonl" "$TMP/canon-out.jsonl"; then pass; else fail "export differs from the examples"; diff "$TMP/canon-in.jsonl" "$TMP/canon-out.jsonl" | head -5 >&2; fi

# The exported objects are byte-for-byte RFC 8785 canonical (no re-serialization needed).
"$TEARLINE" export --jsonl > "$TMP/export.jsonl"
python3 - "$TMP/export.jsonl" <<'PY' && pass || fail "export --jsonl lines are not canonical"
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    o = json.loads(line)
    # JCS of these objects (no floats) is sorted keys, no spaces, non-ASCII kept
    again = json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert again == line, line[:120]
PY

# Everything export writes passes the OASIS schemas.
if "$TL_SHARED/tools/stix-validate" "$TMP/export.json" 2>"$TMP/validate.err"; then pass; else fail "stix-validate: $(head -5 "$TMP/validate.err")"; fi

# list, filters, get
run list --type report
expect_status 0 "list --type"
expect_eq "$(grep -c '' "$TMP/out")" "2" "two reports"
run list --type campaign,report --json
expect_eq "$(grep -c '^{.*"type":"campaign"}$' "$TMP/out")" "5" "five campaigns as JSON Lines"
run get campaign--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061
expect_status 0 "get"
expect_out_contains '  "name": "Spear Phishing",' "get prints the readable form"
run get campaign--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061 --version 2016-05-12T08:17:27Z --canonical
expect_status 0 "get --version at another precision"
expect_out_contains '"name":"Spear Phishing"' "get --canonical"
run get campaign--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061 --version 2016-05-12T08:17:28Z
expect_status 1 "get a version that is not stored"
run get campaign--00000000-8ff7-4a4d-aa9d-feb398cd0061
expect_status 1 "get unknown"
expect_err_line "tearline get: object campaign--00000000-8ff7-4a4d-aa9d-feb398cd0061 is not in the holdings" "get unknown message"
run list --since yesterday
expect_status 2 "bad --since"

# a new version becomes the latest; the old one stays retrievable
cat > "$TMP/v2.json" <<'J'
{"type":"campaign","spec_version":"2.1","id":"campaign--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
 "created":"2016-05-12T08:17:27.000Z","modified":"2017-01-01T00:00:00.000Z","name":"Spear Phishing v2"}
J
run ingest "$TMP/v2.json"
expect_status 0 "ingest a new version"
run get campaign--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061 --canonical
expect_out_contains '"name":"Spear Phishing v2"' "latest version by default"
run list --type campaign --all-versions
expect_eq "$(grep -c 0c7b5b88 "$TMP/out")" "2" "both versions with --all-versions"

# protected terms
run protect add --kind station "Station Alpha"
expect_status 0 "protect add"
run protect add "STATION ALPHA"
expect_status 2 "protect add a case variant"
run protect list
expect_out_contains "Station Alpha" "protect list"
run protect remove "station alpha"
expect_status 0 "protect remove"

run stats
expect_status 0 "stats"
expect_out_contains "protected terms: 0" "stats terms"

# standard input, and every command's --help
run ingest - < "$EX/indicator-for-c2-ip-address.json"
expect_status 0 "ingest from stdin"
expect_out_contains "1 objects read: 0 stored, 1 already held" "stdin duplicate"
for c in init ingest get list export protect stats; do
  run "$c" --help
  expect_status 0 "$c --help"
done
unset TEARLINE_HOME
run list
expect_status 2 "no home"
expect_err_line "tearline list: no node home: pass --home DIR or set TEARLINE_HOME" "no home message"
finish
