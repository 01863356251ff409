#!/usr/bin/env bash
# Times coarsened to the profile's precision (a day in the broad agreement)
# keep their meaning: a start goes down to the start of its day, an end up
# to the end of its day, so the coarse interval holds the fine one and a
# relationship's stop_time stays after its start_time (once a STIX error
# that stopped the release).
. "$(dirname "$0")/lib.sh"
two_nodes agreement--2c3d4e5f-6071-4829-93a4-b5c6d7e8f901
python3 - "$TMP/h.json" <<'PY'
import json, sys
def o(t, n, **kw):
    x = {"type": t, "spec_version": "2.1", "id": "%s--d8000000-0000-4000-8000-%012d" % (t, n),
         "created": "2026-02-01T00:00:00.000Z", "modified": "2026-02-01T00:00:00.000Z", "labels": ["north-caucasus"]}
    x.update(kw)
    return x
a, b = o("threat-actor", 1, name="A"), o("location", 2, name="Grozny", country="RU")
json.dump({"type": "bundle", "id": "bundle--d8000000-0000-4000-8000-000000000000", "objects": [
    a, b,
    o("relationship", 3, relationship_type="located-at", source_ref=a["id"], target_ref=b["id"],
      start_time="2026-02-10T00:00:00Z", stop_time="2026-02-10T12:00:00Z"),
    o("relationship", 4, relationship_type="located-at", source_ref=a["id"], target_ref=b["id"],
      start_time="2026-02-10T06:30:00Z", stop_time="2026-02-28T23:59:59Z"),
    o("sighting", 5, sighting_of_ref=a["id"], first_seen="2026-12-31T22:00:00Z", last_seen="2026-12-31T23:00:00Z")]},
    open(sys.argv[1], "w"))
PY
"$TEARLINE" ingest "$TMP/h.json" >/dev/null || exit 1
run release --to rus --dry-run
expect_status 0 "released"
python3 - "$TMP/out" <<'PY' && pass || fail "coarse times: $(cat "$TMP/out" | head -c 2000)"
import json, sys
b = json.load(open(sys.argv[1]))
rels = sorted((o["start_time"], o["stop_time"]) for o in b["objects"] if o["type"] == "relationship")
assert rels == [("2026-02-10T00:00:00Z", "2026-02-11T00:00:00Z"), ("2026-02-10T00:00:00Z", "2026-03-01T00:00:00Z")], rels
s = [o for o in b["objects"] if o["type"] == "sighting"][0]
assert (s["first_seen"], s["last_seen"]) == ("2026-12-31T00:00:00Z", "2027-01-01T00:00:00Z"), s
PY
if "$TL_SHARED/tools/stix-validate" "$TMP/out" 2>"$TMP/validate.err"; then pass; else fail "stix-validate: $(head -5 "$TMP/validate.err")"; fi
finish
