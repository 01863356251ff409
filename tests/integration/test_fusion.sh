#!/usr/bin/env bash
# Fusion: claims from our holdings and a partner's, resolved across scripts;
# independent corroboration; echoes of our own release (by our ids, by our
# text) listed and never counted; contradictions with the evidence on each
# side; the partner's calibration and the trust it sets; framing; fuse is
# incremental and follows new versions and revocation.
. "$(dirname "$0")/lib.sh"
two_nodes agreement--7d1e2f30-4a5b-4c6d-8e7f-8091a2b3c4d5
"$TEARLINE" ingest "$TL_TESTDATA/fusion_own.json" >/dev/null || exit 1
"$TEARLINE" release --to rus >/dev/null || { echo "release failed"; exit 1; }

own() { printf '%s--f1000000-0000-4000-8000-%012d' "$1" "$2"; }
ptn() { printf '%s--e2000000-0000-4000-8000-%012d' "$1" "$2"; }
T1=$(own threat-actor 1); T3=$(own threat-actor 3); G1=$(own intrusion-set 10)
R1=$(own relationship 41); R2=$(own relationship 42); R3=$(own relationship 43)
PR1=$(ptn relationship 41); PR2=$(ptn relationship 42); PR3=$(ptn relationship 43)
PR4=$(ptn relationship 44); PR5=$(ptn relationship 45); PS1=$(ptn sighting 51)

# what rus sends back: its own reporting (Cyrillic names, its sources), one
# relationship made of the ids we released to it, one repeating our text
sql "$U" "SELECT id, original FROM outbox WHERE partner = 'rus'" > "$TMP/ours.txt"
python3 "$TL_TESTDATA/fusion_partner.py" "$TMP/ours.txt" "$TMP/rus.json" "$T1" "$(own location 21)"
[ -s "$TMP/rus.json" ] || { echo "partner material not written"; exit 1; }
"$TEARLINE" ingest --origin rus "$TMP/rus.json" >/dev/null || { echo "partner ingest failed"; exit 1; }

run fuse --json
expect_status 0 "fuse"
python3 - "$TMP/out" <<'PY' && pass || fail "fuse counts: $(cat "$TMP/out")"
import json, sys
r = json.load(open(sys.argv[1]))
# ours: 5 relationships; rus: 8 relationships (one echoing our ids, one our
# text), 1 sighting; the claim in rus's echoing report is an echo when read
assert r["claims"] == 14 and r["echoes"] == 2 and r["total"] == 14, r
PY
# incremental: nothing new, nothing read
run fuse --json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["holdings"]==0 and r["total"]==14, r' "$TMP/out" \
    && pass || fail "second fuse reads nothing: $(cat "$TMP/out")"

# the claim our source and rus's independent source both make, by a Cyrillic name
run assess --json "Тархан Батирашвили"
expect_status 0 "assess by Cyrillic name"
cp "$TMP/out" "$TMP/assess.json"
python3 - "$TMP/assess.json" "$T1" "$R1" "$PR1" "$PR3" "$PR4" "$(ptn relationship 46)" "$(ptn relationship 47)" <<'PY' && pass || fail "assess T1"
import json, sys
r = json.load(open(sys.argv[1]))
t1, r1, pr1, pr3, pr4, pr6, pr7 = sys.argv[2:9]
assert r["entity"]["id"] == t1, r["entity"]
assert {m["origin"] for m in r["entity"]["members"]} == {"", "rus"}
claims = {(c["predicate"], (c["object"] or {}).get("name")): c for c in r["claims"]}
c = claims[("located-at", "Raqqa")]
assert c["independent_sources"] == 2 and c["corroborated"] is True, c
reports = sorted(rep["holding"] for s in c["sources"] for rep in s["reports"])
assert reports == sorted([r1, pr1, pr6]), reports
echoes = {e["holding"]: e for e in c["echoes"]}
assert set(echoes) == {pr3, pr4, pr7}, echoes
assert echoes[pr3]["echo_why"] == "our id" and echoes[pr4]["echo_why"] == "our text", echoes
assert echoes[pr7]["echo_why"] == "in a report that echoes ours", echoes
# an echo rests on the root of what it echoes: our source
own_root = [s["root"] for s in c["sources"] if s["reports"][0]["origin"] == "own"][0]
assert all(e["root"] == own_root for e in echoes.values()), (own_root, echoes)

# the fused opinion, recomputed here from the METHODS formulas: ours as rated,
# rus's discounted by its trust; rus's two reports from one source averaged;
# cumulative across the two roots
def averaging(x, y):
    k = x["u"] + y["u"]
    return {"b": (x["b"] * y["u"] + y["b"] * x["u"]) / k, "d": (x["d"] * y["u"] + y["d"] * x["u"]) / k,
            "u": 2 * x["u"] * y["u"] / k}
def cumulative(x, y):
    k = x["u"] + y["u"] - x["u"] * y["u"]
    return {"b": (x["b"] * y["u"] + y["b"] * x["u"]) / k, "d": (x["d"] * y["u"] + y["d"] * x["u"]) / k,
            "u": x["u"] * y["u"] / k}
def discount(t, x):
    p = t["b"] + t["a"] * t["u"]
    return {"b": p * x["b"], "d": p * x["d"], "u": 1 - p * x["b"] - p * x["d"]}
mine = [rep for s in c["sources"] for rep in s["reports"] if rep["origin"] == "own"][0]
theirs = [rep for s in c["sources"] for rep in s["reports"] if rep["origin"] == "rus"]
assert len({rep["root"] for rep in theirs}) == 1, theirs
assert abs(mine["opinion"]["b"] - 0.56) < 1e-9 and abs(mine["opinion"]["u"] - 0.2) < 1e-9, mine
ws = [discount(t["trust"], t["opinion"]) for t in theirs]
for w, t in zip(ws, theirs):
    for k in "bdu":
        assert abs(w[k] - t["weighed"][k]) < 1e-5, (w, t)
f = cumulative(mine["opinion"], averaging(ws[0], ws[1]))
for k in "bdu":
    assert abs(f[k] - c["opinion"][k]) < 1e-5, (f, c["opinion"])
# more than ours alone, and the echoes added nothing: with them it would be more still
assert c["opinion"]["u"] < mine["opinion"]["u"]
# contradictions about him: Raqqa (ours) against Grozny (rus) in March
kinds = sorted(x["kind"] for x in r["contradictions"])
assert kinds == ["two-leaders", "two-places"], kinds
PY

run contradictions --json
expect_status 0 "contradictions"
python3 - "$TMP/out" "$R1" "$PR1" "$PR2" "$R2" "$PR5" "$R3" "$PS1" "$(own relationship 44)" "$(ptn relationship 48)" <<'PY' && pass || fail "contradictions: $(head -c 3000 "$TMP/out")"
import json, sys
r = json.load(open(sys.argv[1]))
r1, pr1, pr2, r2, pr5, r3, ps1, r4, pr8 = sys.argv[2:11]
by = {}
for c in r["contradictions"]:
    by.setdefault(c["kind"], []).append(c)
assert sorted(by) == ["alive-and-dead", "rival-affiliations", "two-leaders", "two-places"], sorted(by)
assert all(len(v) == 1 for v in by.values()), by
def sides(c):
    return [sorted(e["holding"] for e in s["evidence"]) for s in c["sides"]]
tp = by["two-places"][0]
assert tp["subject"]["name"] == "Tarkhan Batirashvili"
assert sorted(map(tuple, sides(tp))) == sorted([(r1,), (pr2,)]), sides(tp)
assert {s["object"]["name"] for s in tp["sides"]} == {"Raqqa", "Grozny"}
tl = by["two-leaders"][0]
assert tl["subject"]["name"] == "Jaish al-Muhajireen wal-Ansar", tl["subject"]
assert sorted(map(tuple, sides(tl))) == sorted([(r2,), (pr5,)]), sides(tl)
ad = by["alive-and-dead"][0]
assert ad["subject"]["name"] == "Ruslan Machalikashvili"
assert sorted(map(tuple, sides(ad))) == sorted([(r3,), (ps1,)]), sides(ad)
ra = by["rival-affiliations"][0]
assert ra["subject"]["name"] == "Akhmed Chatayev", ra["subject"]
assert sorted(map(tuple, sides(ra))) == sorted([(r4,), (pr8,)]), sides(ra)
assert {s["object"]["name"] for s in ra["sides"]} == {"Jaish al-Muhajireen wal-Ansar", "Islamic State"}
# each side carries its own fused opinion
assert all("opinion" in s and s["opinion"]["u"] < 1 for c in r["contradictions"] for s in c["sides"])
PY
run contradictions
expect_out_line "4 contradiction(s)" "text listing"

# rus's record: PR1 and PR6 confirmed by our firm report from another source;
# PR5 (another leader), PR2 (Grozny) and PR8 (the rival group) refuted by our
# firm reports. Beta reputation with forgetting 0.9 over the outcomes in time
# order: PR5 (January), PR1 (March 11), PR6 (March 12), PR2 (March 16), PR8 (April 5)
run partners --json
expect_status 0 "partners"
python3 - "$TMP/out" <<'PY' && pass || fail "partners: $(cat "$TMP/out")"
import json, sys
r = json.load(open(sys.argv[1]))
p = {x["partner"]: x for x in r["partners"]}["rus"]
assert p["confirmed"] == 2 and p["refuted"] == 3 and p["echoes"] == 3 and p["claims"] == 9, p
rr = ss = 0.0
for x in (0, 1, 1, 0, 0):
    rr, ss = 0.9 * rr + x, 0.9 * ss + (1 - x)
assert abs(p["r"] - rr) < 1e-6 and abs(p["s"] - ss) < 1e-6, (p, rr, ss)
assert abs(p["expected"] - (rr + 1) / (rr + ss + 2)) < 1e-6, p
t, w = p["trust"], rr + ss + 2
assert abs(t["b"] - rr / w) < 1e-6 and abs(t["d"] - ss / w) < 1e-6 and abs(t["u"] - 2 / w) < 1e-6, t
topics = {x["topic"]: x for x in p["topics"]}
assert topics["north-caucasus"]["outcomes"] == 5, topics
fr = [f for f in r["framing"] if f["partner"] == "rus"]
assert len(fr) == 1 and fr[0]["only_partner"] == ["nationalist-separatist"], r["framing"]
assert "jihadist" in fr[0]["others"]["own"] and fr[0]["shared"] == ["north-caucasus"], fr
PY
run partners
expect_out_contains "rus: 9 claims (3 echoes of ours), 2 confirmed, 3 refuted" "text record"

# an analyst's verdict splits the Cyrillic Batirashvili off: his claims are no longer ours
run resolve --different "$T1" "$(ptn threat-actor 1)"
run contradictions --json
python3 -c 'import json,sys; k=sorted(c["kind"] for c in json.load(open(sys.argv[1]))["contradictions"]); assert k==["alive-and-dead","rival-affiliations","two-leaders"], k' "$TMP/out" \
    && pass || fail "verdict applies to fusion: $(head -c 500 "$TMP/out")"
run resolve --same "$T1" "$(ptn threat-actor 1)"

# rus revokes PR2: the next fuse drops its claim, and the contradiction goes
python3 - "$TMP/rus.json" "$TMP/revoke.json" "$PR2" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
o = [x for x in b["objects"] if x["id"] == sys.argv[3]][0]
o.update(modified="2026-03-17T00:00:00.000Z", revoked=True)
json.dump({"type": "bundle", "id": "bundle--e2000000-0000-4000-8000-000000000001", "objects": [o]},
          open(sys.argv[2], "w"))
PY
"$TEARLINE" ingest --origin rus "$TMP/revoke.json" >/dev/null || fail "revoke ingest"
run fuse --json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["holdings"]==1 and r["claims"]==0 and r["total"]==13, r' "$TMP/out" \
    && pass || fail "fuse after revocation: $(cat "$TMP/out")"
run contradictions --json
python3 -c 'import json,sys; k=sorted(c["kind"] for c in json.load(open(sys.argv[1]))["contradictions"]); assert k==["alive-and-dead","rival-affiliations","two-leaders"], k' "$TMP/out" \
    && pass || fail "revoked claim no longer contradicts: $(head -c 500 "$TMP/out")"
# a rebuild from every holding gives the same claims
run fuse --json --rebuild
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["total"]==13 and r["echoes"]==2, r' "$TMP/out" \
    && pass || fail "rebuild: $(cat "$TMP/out")"

# errors
run assess "Nobody Atall"
expect_status 1 "unknown entity"
expect_err_line "tearline assess: no person or group held is 'Nobody Atall' (by id or name)" "unknown entity message"
run assess
expect_status 2 "assess needs an entity"
run fuse --bogus
expect_status 2 "unknown option"
finish
