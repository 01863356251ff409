#!/usr/bin/env bash
# tearline watch: "persons from the North Caucasus reported in Syria or
# Iraq, not reported dead, with new reporting of travel toward home". Rules
# run after ingest; an alert keeps its evidence and a partner's source by
# its pseudonym; echoes of our own reporting and dead persons do not alert;
# runs are incremental; a replaced rule runs afresh; the errors.
. "$(dirname "$0")/lib.sh"
two_nodes agreement--0a4b5c63-7d8e-4f90-a1b2-c3d4e5f60718
id() { printf '%s--b6000000-0000-4000-8000-%012d' "$1" "$2"; }

python3 - "$TMP/own.json" <<'PY'
import json, sys
P = "extension-definition--bb13a4a1-e6c4-4412-ad4b-bef9a3a4a9db"
def i(t, n): return "%s--b6000000-0000-4000-8000-%012d" % (t, n)
def obj(t, n, **kw):
    o = {"type": t, "spec_version": "2.1", "id": i(t, n), "created": "2025-05-01T00:00:00.000Z",
         "modified": "2025-05-01T00:00:00.000Z", "labels": ["north-caucasus"]}
    o.update(kw)
    return o
def rel(n, s, kind, t, start):
    return obj("relationship", n, relationship_type=kind, source_ref=i("threat-actor", s),
               target_ref=i("location", t), start_time=start,
               extensions={P: {"extension_type": "property-extension", "reliability": "B", "credibility": 2,
                               "source_ref": i("identity", 90)}})
place = lambda n, name, c, la, lo: obj("location", n, name=name, country=c, latitude=la, longitude=lo)
person = lambda n, name: obj("threat-actor", n, name=name, resource_level="individual")
json.dump({"type": "bundle", "id": "bundle--b6000000-0000-4000-8000-000000000000", "objects": [
    person(1, "Akhmed Chatayev"), person(2, "Ruslan Machalikashvili"), person(3, "Murad Margoshvili"),
    place(21, "Raqqa", "SY", 35.95, 39.0), place(22, "Mosul", "IQ", 36.34, 43.13),
    place(23, "Istanbul", "TR", 41.01, 28.98), place(24, "Grozny", "RU", 43.32, 45.69),
    rel(31, 1, "located-at", 21, "2025-03-01T00:00:00Z"),
    rel(32, 2, "located-at", 22, "2025-03-01T00:00:00Z"),
    rel(33, 2, "died-at", 22, "2025-06-01T00:00:00Z"),
    rel(34, 3, "located-at", 21, "2025-04-01T00:00:00Z")]}, open(sys.argv[1], "w"))
PY
"$TEARLINE" ingest "$TMP/own.json" >/dev/null || exit 1
cat > "$TMP/rule.json" <<'EOF'
{"name": "returning fighters",
 "description": "North Caucasus fighters in Syria or Iraq, not reported dead, reported travelling toward home",
 "subject": {"kind": "person", "labels_any": ["north-caucasus"]},
 "all": [{"predicate": ["located-at", "sighted-at"], "object": {"country_any": ["SY", "IQ"]}}],
 "none": [{"predicate": ["dead"]}],
 "new": [{"predicate": ["located-at", "sighted-at", "travels-to"], "object": {"country_any": ["TR", "GE", "RU"]}}]}
EOF
run watch add "$TMP/rule.json"
expect_status 0 "add"
expect_out_line "watching: returning fighters" "add message"
run watch alerts --json
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))==[]' "$TMP/out" && pass || fail "no alert before any travel"
"$TEARLINE" release --to rus >/dev/null || { echo "release failed"; exit 1; }

# rus reports Chatayev (its own object, in Cyrillic) seen in Istanbul, by one of its sources
rus_bundle() { # FILE then objects as JSON on stdin
    cat > "$TMP/objects.json"
    sql "$U" "SELECT id, original FROM outbox WHERE partner = 'rus'" > "$TMP/ours.txt"
    python3 - "$TMP/ours.txt" "$1" "$TMP/objects.json" <<'PY'
import json, sys
ours = {o: i for i, o in (l.rstrip("\n").split("|") for l in open(sys.argv[1]))}
text = open(sys.argv[3]).read()
for o, i in ours.items():
    text = text.replace("OURS:" + o, i)
objs = json.loads(text)
RP = "extension-definition--5b0f7c8e-93a4-4d21-b6e5-2f1c0d9a8e47"
for o in objs:
    o.setdefault("spec_version", "2.1")
    o.setdefault("created", "2026-04-01T00:00:00.000Z")
    o.setdefault("modified", o["created"])
    if o["type"] in ("relationship", "sighting"):
        o["extensions"] = {RP: {"extension_type": "property-extension", "reliability": "B", "credibility": 2,
                                "source_ref": "identity--e7000000-0000-4000-8000-000000000042"}}
json.dump({"type": "bundle", "id": "bundle--e7000000-0000-4000-8000-%012d" % len(text), "objects": objs},
          open(sys.argv[2], "w"), ensure_ascii=False)
PY
}
rus_bundle "$TMP/r1.json" <<'EOF'
[{"type": "threat-actor", "id": "threat-actor--e7000000-0000-4000-8000-000000000001", "name": "Ахмед Чатаев",
  "resource_level": "individual"},
 {"type": "location", "id": "location--e7000000-0000-4000-8000-000000000023", "name": "Istanbul", "country": "TR",
  "latitude": 41.0, "longitude": 28.97},
 {"type": "sighting", "id": "sighting--e7000000-0000-4000-8000-000000000051",
  "sighting_of_ref": "threat-actor--e7000000-0000-4000-8000-000000000001",
  "where_sighted_refs": ["location--e7000000-0000-4000-8000-000000000023"],
  "first_seen": "2026-03-30T00:00:00Z", "last_seen": "2026-03-30T00:00:00Z"}]
EOF
run ingest --origin rus "$TMP/r1.json"
expect_status 0 "partner ingest"
expect_out_line "watch: 1 new alert(s) (tearline watch alerts)" "ingest runs the watchlists"
run watch alerts --json
python3 - "$TMP/out" "$(id threat-actor 1)" "$(id relationship 31)" <<'PY' && pass || fail "alert: $(cat "$TMP/out")"
import json, sys
a = json.load(open(sys.argv[1]))
assert len(a) == 1, a
a = a[0]
assert a["rule"] == "returning fighters" and a["entity"]["id"] == sys.argv[2] and a["seq"] == 1, a
new = a["evidence"]["new"]
assert len(new) == 1 and new[0]["holding"] == "sighting--e7000000-0000-4000-8000-000000000051", new
# the partner's source, by its pseudonym
assert new[0]["origin"] == "rus" and new[0]["root"] == "rus:identity--e7000000-0000-4000-8000-000000000042", new
assert new[0]["object"]["name"] == "Istanbul" and new[0]["predicate"] == "sighted-at"
assert [c["holding"] for c in a["evidence"]["all"][0]] == [sys.argv[3]], a["evidence"]["all"]
PY
run watch run --json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["alerts"]==0 and r["rules"]==1 and r["holdings"]==0, r' "$TMP/out" \
    && pass || fail "a second run finds nothing new: $(cat "$TMP/out")"

# an echo of our own reporting (our ids) and a dead man's travel raise nothing;
# Chatayev in Grozny, new, raises a second alert
rus_bundle "$TMP/r2.json" <<EOF
[{"type": "relationship", "id": "relationship--e7000000-0000-4000-8000-000000000061", "relationship_type": "located-at",
  "source_ref": "OURS:$(id threat-actor 3)", "target_ref": "OURS:$(id location 24)", "start_time": "2026-04-02T00:00:00Z"},
 {"type": "relationship", "id": "relationship--e7000000-0000-4000-8000-000000000062", "relationship_type": "located-at",
  "source_ref": "threat-actor--e7000000-0000-4000-8000-000000000002", "target_ref": "location--e7000000-0000-4000-8000-000000000023",
  "start_time": "2026-04-02T00:00:00Z"},
 {"type": "threat-actor", "id": "threat-actor--e7000000-0000-4000-8000-000000000002", "name": "Руслан Мачаликашвили",
  "resource_level": "individual"}]
EOF
run ingest --origin rus "$TMP/r2.json"
expect_status 0 "echo and dead man"
grep -q "^watch:" "$TMP/out" && fail "no alert for an echo or a dead man: $(cat "$TMP/out")" || pass
rus_bundle "$TMP/r3.json" <<EOF
[{"type": "relationship", "id": "relationship--e7000000-0000-4000-8000-000000000063", "relationship_type": "travels-to",
  "source_ref": "threat-actor--e7000000-0000-4000-8000-000000000001", "target_ref": "location--e7000000-0000-4000-8000-000000000024",
  "start_time": "2026-04-05T00:00:00Z"},
 {"type": "location", "id": "location--e7000000-0000-4000-8000-000000000024", "name": "Grozny", "country": "RU"}]
EOF
run ingest --origin rus "$TMP/r3.json"
expect_out_line "watch: 1 new alert(s) (tearline watch alerts)" "second alert"
run watch alerts --after 1 --rule "returning fighters" --json
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert len(a)==1 and a[0]["seq"]==2 and a[0]["evidence"]["new"][0]["predicate"]=="travels-to", a' "$TMP/out" \
    && pass || fail "alerts after 1: $(cat "$TMP/out")"
run watch alerts
expect_out_contains "returning fighters: Akhmed Chatayev" "text alerts"
run watch list
expect_out_contains "returning fighters  (added " "list"

# a replaced rule runs afresh over everything: one alert for Chatayev
run watch add "$TMP/rule.json"
expect_status 2 "a second rule of one name"
expect_err_line "tearline watch: $TMP/rule.json: a rule named 'returning fighters' is held already (--replace to replace it)" "duplicate message"
run watch add --replace "$TMP/rule.json"
expect_status 0 "replace"
expect_out_line "watch: 1 new alert(s) (tearline watch alerts)" "replaced rule runs afresh"

# bad rules
printf '{"name": "x", "subject": {"kindd": "person"}, "all": [{"predicate": ["located-at"]}]}' > "$TMP/bad1.json"
run watch add "$TMP/bad1.json"
expect_status 2 "unknown property"
expect_err_line "tearline watch: $TMP/bad1.json: subject: unknown property 'kindd'" "unknown property message"
printf '{"name": "x", "all": [{"predicate": []}]}' > "$TMP/bad2.json"
run watch add "$TMP/bad2.json"
expect_err_line "tearline watch: $TMP/bad2.json: all[0].predicate: must be a list of 1 to 64 strings" "empty predicate list"
printf '{"name": "x", "none": [{"predicate": ["dead"]}]}' > "$TMP/bad3.json"
run watch add "$TMP/bad3.json"
expect_err_line "tearline watch: $TMP/bad3.json: a rule needs at least one clause under 'all' or 'new'" "no clause"
printf '{"name": "x",\n "all": [' > "$TMP/bad4.json"
run watch add "$TMP/bad4.json"
expect_status 2 "bad JSON"
grep -q "^tearline watch: $TMP/bad4.json:2:" "$TMP/err" && pass || fail "JSON error position: $(cat "$TMP/err")"
run watch add "$TMP/none.json"
expect_status 1 "missing file"
expect_err_line "tearline watch: $TMP/none.json: cannot open: No such file or directory" "missing file message"
run watch alerts --after x
expect_status 2 "bad --after"
finish
