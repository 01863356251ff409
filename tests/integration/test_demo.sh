#!/usr/bin/env bash
# tearline demo runs the two-partner scenario to the end; every point it
# shows is checked here from the nodes' own data (stores, outboxes, claims,
# alerts, ledgers), not from the narrative it prints.
. "$(dirname "$0")/lib.sh"
D="$TMP/demo"
run demo --dir "$D" --keep
expect_status 0 "the demo runs to the end"
expect_out_line "demo complete" "it says so"
USA="$D/usa/store.db"
RUS="$D/rus/store.db"
q() { sqlite3 "$1" "$2"; }

# the agreement is countersigned: both nodes verify it
for p in usa rus; do
  "$TEARLINE" agree --home "$D/$p" verify agreement--5ce0c003-0000-4000-8000-000000000001 >/dev/null \
    && pass || fail "$p verifies the agreement"
done
# releases both ways; what stays home stays home
[ "$(q "$USA" "select count(*) from outbox where partner='rus'")" -gt 10 ] && pass || fail "usa released to rus"
[ "$(q "$RUS" "select count(*) from outbox where partner='usa'")" -gt 10 ] && pass || fail "rus released to usa"
for held in report--5ce0a001-0000-4000-8000-000000000052 identity--5ce0a001-0000-4000-8000-000000000001; do
  expect_eq "$(q "$USA" "select count(*) from outbox where original='$held'")" "0" "usa keeps $held home"
done
expect_eq "$(q "$RUS" "select count(*) from outbox where original='report--5ce0b002-0000-4000-8000-000000000052'")" "0" \
  "rus keeps its NOFORN tasking home"
# third-party material: released with consent, withheld without
expect_eq "$(q "$RUS" "select count(*) from outbox where original='relationship--5ce0b002-0000-4000-8000-000000000045'")" "1" \
  "the consented third-party item is released"
expect_eq "$(q "$RUS" "select count(*) from outbox where original='report--5ce0b002-0000-4000-8000-000000000051'")" "0" \
  "the third-party item without consent is withheld"
# no protected term, source name or original id in anything either node published
python3 - "$USA" "$RUS" <<'PY' && pass || fail "nothing protected left"
import sqlite3, sys
checks = {sys.argv[1]: ["Station Alpha", "NIGHTJAR", "SANDSTORM", "REAPER-7", "5ce0a001-"],
          sys.argv[2]: ["Vostok-3", "KEDR", "Orion-2", "5ce0b002-"]}
for db, bad in checks.items():
    for (text,) in sqlite3.connect(db).execute("SELECT json FROM outbox"):
        for b in bad:
            assert b.lower() not in text.lower(), (db, b, text[:200])
PY
# sources pseudonymized, methods generalized
[ "$(q "$USA" "select count(*) from outbox where json like '%\"name\":\"Source %'")" -ge 1 ] && pass || fail "pseudonyms"
[ "$(q "$USA" "select count(*) from outbox where json like '%\"discipline_class\":\"human reporting\"%'")" -ge 1 ] && pass || fail "methods as classes"
# pulls with receipts, reconciled on both sides
for p in usa rus; do
  o=$([ $p = usa ] && echo rus || echo usa)
  "$TEARLINE" ledger --home "$D/$p" reconcile $o >/dev/null && pass || fail "$p reconciles with $o"
  "$TEARLINE" ledger --home "$D/$p" verify >/dev/null && pass || fail "$p ledger verifies"
done
[ "$(q "$USA" "select count(*) from objects where type='x-tearline-receipt' and origin='rus'")" -ge 1 ] && pass || fail "usa holds rus's receipt"
# the balance: given against received, by value, from usa's ledger
"$TEARLINE" ledger --home "$D/usa" balance --json > "$TMP/balance.json"
python3 - "$TMP/balance.json" <<'PY' && pass || fail "the balance: $(head -c 600 "$TMP/balance.json")"
import json, sys
p = [x for x in json.load(open(sys.argv[1]))["partners"] if x["partner"] == "rus"][0]
assert p["given"]["objects"] > 10 and p["received"]["objects"] > 10, p
assert p["given"]["value"] > 0 and p["received"]["value"] > 0
assert abs(p["net"] - (p["received"]["value"] - p["given"]["value"])) < 1e-9, p
PY
# names across scripts: rus's Cyrillic Batirashvili and Chatayev resolved to usa's
"$TEARLINE" resolve --home "$D/usa" --json > "$TMP/resolve.json"
python3 - "$TMP/resolve.json" <<'PY' && pass || fail "names resolved across scripts"
import json, sys
r = json.load(open(sys.argv[1]))
names = [sorted(m["name"] for m in c["members"]) for c in r["clusters"]]
assert ["Tarkhan Batirashvili", "Тархан Батирашвили"] in names, names
assert ["Akhmed Chatayev", "Ахмед Чатаев"] in names, names
PY
# corroboration, the echo, the contradiction, the record, the framing: from usa's fused claims
"$TEARLINE" assess --home "$D/usa" --json "Akhmed Chatayev" > "$TMP/chatayev.json"
python3 -c 'import json,sys; c=[c for c in json.load(open(sys.argv[1]))["claims"] if c["predicate"]=="member-of"][0]; assert c["corroborated"] and c["independent_sources"]==2, c' \
  "$TMP/chatayev.json" && pass || fail "corroborated by an independent source"
[ "$(q "$USA" "select count(*) from claims where doc like '%\"echo_why\":\"our text\"%' and doc like '%\"origin\":\"rus\"%'")" = 1 ] \
  && pass || fail "rus's repeat of usa's report is an echo"
"$TEARLINE" contradictions --home "$D/usa" --json > "$TMP/contra.json"
python3 -c 'import json,sys; k=[c["kind"] for c in json.load(open(sys.argv[1]))["contradictions"]]; assert "two-places" in k, k' \
  "$TMP/contra.json" && pass || fail "a contradiction surfaced"
"$TEARLINE" partners --home "$D/usa" --json > "$TMP/partners.json"
python3 - "$TMP/partners.json" <<'PY' && pass || fail "rus's record"
import json, sys
r = json.load(open(sys.argv[1]))
p = r["partners"][0]
assert p["partner"] == "rus" and p["echoes"] >= 1 and p["confirmed"] >= 1 and p["refuted"] >= 1, p
assert any(f["partner"] == "rus" and "nationalist-separatist" in f["only_partner"] for f in r["framing"]), r["framing"]
PY
# the watchlist alert on the returning fighter, with rus's source by its pseudonym
python3 - "$USA" <<'PY' && pass || fail "the watchlist alert"
import json, sqlite3, sys
docs = [json.loads(d) for (d,) in sqlite3.connect(sys.argv[1]).execute("SELECT doc FROM alerts")]
a = [d for d in docs if d["entity"]["name"] == "Руслан Мачаликашвили"]
assert len(a) == 1, docs
new = a[0]["evidence"]["new"][0]
assert new["object"]["name"] == "Istanbul" and new["origin"] == "rus" and new["root"].startswith("rus:identity--"), new
PY
# the broker: a person who links his group to others (by membership)
"$TEARLINE" graph --home "$D/usa" brokers --json --groups membership > "$TMP/brokers.json"
python3 - "$TMP/brokers.json" <<'PY' && pass || fail "a broker between groups"
import json, sys
r = json.load(open(sys.argv[1]))
people = [v for v in r["vertices"] if v["kind"] == "person"
          and v["brokerage"]["gatekeeper"] + v["brokerage"]["representative"] + v["brokerage"]["liaison"] > 0]
assert any(v["name"] == "Tarkhan Batirashvili" for v in people), people
assert r["estimate"]["partner_fed"] is True
PY
# an ACH assessment held as a STIX object; the graph drawn
[ "$(q "$USA" "select count(distinct id) from objects where type='x-tearline-ach'")" = 1 ] && pass || fail "the assessment is held"
[ -s "$D/usa-graph.svg" ] && pass || fail "the graph drawing"
# rus met its commitment for two periods running and then stopped: backtracking
"$TEARLINE" ledger --home "$D/usa" commitments --json > "$TMP/commit.json"
python3 - "$TMP/commit.json" <<'PY' && pass || fail "backtracking: $(cat "$TMP/commit.json")"
import json, sys
r = [c for c in json.load(open(sys.argv[1])) if c["party"] == "rus"][0]
status = [p["status"] for p in r["periods"]]
first = status.index("met")
assert status[first:first + 3] == ["met", "met", "broken"], status
assert r["backtracking"] and r["backtracking"]["broke_from"] == r["periods"][first + 2]["from"], r
PY

# the overstated agreement is refuted; the leaked copy names rus
run agree --home "$D/usa" verify --file "$D/claimed.json"
expect_status 1 "the overstated agreement is refuted"
run trace --home "$D/usa" "$D/leaked.json"
expect_status 0 "the leaked copy is traced"
expect_out_contains "released to: rus" "traced to rus"
# the report: each side's holdings beside what the partner saw
python3 - "$D/report.html" <<'PY' && pass || fail "the report"
import re, sys
t = open(sys.argv[1]).read()
rows = re.findall(r'<tr class="(\w*)"><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>', t)
assert len(rows) > 30, len(rows)
red = [r for r in rows if "Station Alpha" in r[1]]
assert red and all("Station Alpha" not in r[3] for r in red), red
assert any("[REDACTED]" in r[3] for r in red), red
noforn = [r for r in rows if "Source handling notes" in r[1]]
assert noforn and noforn[0][0] == "withhold" and "noforn" in noforn[0][2] and noforn[0][3] == "&mdash;", noforn
assert "usa-balance.svg" in t and "usa-graph.svg" in t and "ach.html" in t
PY
for f in usa-balance.svg usa-graph.svg ach.html; do [ -s "$D/$f" ] && pass || fail "$f written"; done

# a second demo in the same place is refused, and the first is left alone
run demo --dir "$D"
expect_status 2 "a directory that already holds the nodes"
# without --keep the nodes go and the report stays
run demo --dir "$TMP/again"
expect_status 0 "a second demo elsewhere"
[ ! -e "$TMP/again/usa" ] && [ ! -e "$TMP/again/rus" ] && [ -s "$TMP/again/report.html" ] && pass \
  || fail "without --keep: nodes removed, report kept"
finish
