#!/usr/bin/env bash
# Reciprocity: `tearline ledger balance` on two nodes that exchange hand-made
# holdings (tests/data/balance_holdings.py) by sealed file on set dates
# (faketime), every figure checked against the value model of docs/ledger.md
# worked out by hand: type weight x credibility x novelty x corroboration,
# by month, topic and type, from both sides, with the SVG.
. "$(dirname "$0")/lib.sh"
AID=agreement--6c0f3a9e-2b1d-4c8e-9f7a-1e2d3c4b5a69
GEN="$TL_SRC/tests/data/balance_holdings.py"
# tearline at the date in $TL_AT, the clock running from there
REAL=$(readlink -f "$TEARLINE")
printf '#!/bin/sh\nexec faketime -f "@$TL_AT" "%s" "$@"\n' "$REAL" > "$TMP/tl-at"
chmod +x "$TMP/tl-at"
TEARLINE="$TMP/tl-at"
export TL_AT ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

TL_AT="2026-01-10 09:00:00"
for p in usa rus; do "$TEARLINE" init --home "$TMP/$p" --name $p > "$TMP/$p.txt" || exit 1; done
key() { awk '/public key/{print $3}' "$TMP/$1.txt"; }
broad_agreement "$TMP/a.json" $AID usa "$(key usa)" rus "$(key rus)"
countersign "$TMP/usa" "$TMP/rus" $AID "$TMP/a.json" || { echo "setup failed"; exit 1; }
for f in usa rus1 rus2; do python3 "$GEN" $f > "$TMP/$f.json" || exit 1; done
"$TEARLINE" ingest --home "$TMP/usa" "$TMP/usa.json" >/dev/null || exit 1
"$TEARLINE" ingest --home "$TMP/rus" "$TMP/rus1.json" >/dev/null || exit 1
exchange() { # exchange FROM TO
  "$TEARLINE" seal --home "$TMP/$1" --to "$2" --out "$TMP/x.sealed" >/dev/null &&
    "$TEARLINE" unseal --home "$TMP/$2" "$TMP/x.sealed" >/dev/null
}
# rus speaks first, usa answers, rus sends more in February
TL_AT="2026-01-12 10:00:00" exchange rus usa || { echo "exchange 1 failed"; exit 1; }
TL_AT="2026-01-20 10:00:00" exchange usa rus || { echo "exchange 2 failed"; exit 1; }
TL_AT="2026-02-15 10:00:00"
"$TEARLINE" ingest --home "$TMP/rus" "$TMP/rus2.json" >/dev/null || exit 1
exchange rus usa || { echo "exchange 3 failed"; exit 1; }
TL_AT="2026-03-01 10:00:00"

# Worked by hand. usa gave on 2026-01-20: the Idlib report (3 x 0.7 = 2.1), the
# relay indicator (1 x 0.5, corroborated by its own RED indicator from another
# source: x 1.5 = 0.75), one safe house from two sources, each corroborating
# the other (0.5 x 0.5 x 1.5 = 0.375, twice), the 198.51.100.7 indicator and
# the threat actor (rus had told usa both on 01-12: novelty 0), its identity
# and two source pseudonyms (bookkeeping: 0). usa received on 01-12 the 203.0.113.9 indicator (0.7),
# 198.51.100.7 and "JAISH X" (usa held both: 0), rus's identities (0); on
# 02-15 the relay indicator (usa held it: 0), malware Foo (1 x 0.9 = 0.9)
# and a new version of the 203.0.113.9 indicator (1 x 0.9 x 0.5 = 0.45).
#   usa 2026-01: given 3.6, received 0.7,  net -2.9,  cumulative -2.9
#   usa 2026-02: given 0,   received 1.35, net +1.35, cumulative -1.55
# rus sees its own gifts as new unless usa had sent the same first: 0.7 + 0.9
# + 1.0 in January; in February the relay indicator (usa gave it: 0), Foo 0.9
# and the update 0.45. It received usa's January gifts and values them as usa
# does: 3.6 (the relay indicator it now also holds from its own SOKOL,
# corroborated either way; both safe houses new though they came together).
#   rus 2026-01: given 2.6,  received 3.6, net +1,    cumulative +1
#   rus 2026-02: given 1.35, received 0,   net -1.35, cumulative -0.35
rows() { # rows HOME [ARGS...]: "key given/objects given/value received/objects received/value net [cumulative]"
  local home=$1; shift
  "$TEARLINE" ledger --home "$home" balance --json "$@" | python3 -c '
import json, sys
b = json.load(sys.stdin)
for p in b["partners"]:
    print(p["partner"], "total", p["given"]["objects"], "%g" % p["given"]["value"],
          p["received"]["objects"], "%g" % p["received"]["value"], "%g" % p["net"])
    for r in p["rows"]:
        print(p["partner"], r["key"], r["given"]["objects"], "%g" % r["given"]["value"],
              r["received"]["objects"], "%g" % r["received"]["value"], "%g" % r["net"],
              "%g" % r["cumulative"] if "cumulative" in r else "")'
}
expect_eq "$(rows "$TMP/usa")" "rus total 9 3.6 8 2.05 -1.55
rus 2026-01 9 3.6 5 0.7 -2.9 -2.9
rus 2026-02 0 0 3 1.35 1.35 -1.55" "usa's balance with rus by month"
expect_eq "$(rows "$TMP/rus")" "usa total 8 3.95 9 3.6 -0.35
usa 2026-01 5 2.6 9 3.6 1 1
usa 2026-02 3 1.35 0 0 -1.35 -0.35" "rus's balance with usa by month"
expect_eq "$(rows "$TMP/usa" --by type)" "rus total 9 3.6 8 2.05 -1.55
rus identity 3 0 2 0 0 
rus indicator 2 0.75 4 1.15 0.4 
rus location 2 0.75 0 0 -0.75 
rus malware 0 0 1 0.9 0.9 
rus report 1 2.1 0 0 -2.1 
rus threat-actor 1 0 1 0 0 " "usa's balance by type"
expect_eq "$(rows "$TMP/usa" --by topic)" "rus total 9 3.6 8 2.05 -1.55
rus (none) 3 0 2 0 0 
rus iraq 1 2.1 0 0 -2.1 
rus syria 6 3.6 6 2.05 -1.55 " "usa's balance by topic: the report under both its labels, once in the total"
expect_eq "$(rows "$TMP/usa" --period day | tail -n +2 | cut -d' ' -f2)" "2026-01-12
2026-01-20
2026-02-15" "by day"
expect_eq "$(rows "$TMP/usa" --partner gbr)" "" "no exchange with gbr"

# each object's factors, as the worked example has them
python3 - "$TMP" <<'PY' && pass || fail "explained factors differ from the worked example"
import json, subprocess, sys, os
tmp = sys.argv[1]
out = subprocess.run([tmp + "/tl-at", "ledger", "--home", tmp + "/usa", "balance", "--json",
                      "--explain"], capture_output=True, text=True, check=True).stdout
objs = json.loads(out)["objects"]
got = sorted((o["direction"], o["type"], o["weight"], o["credibility"], o["novelty"],
              o["corroboration"], o["why"]) for o in objs if o["weight"] > 0)
want = sorted([
    ("received", "indicator", 1.0, 0.7, 1.0, 1.0, "new"),
    ("received", "indicator", 1.0, 0.9, 0.0, 1.0, "we had it"),
    ("received", "threat-actor", 2.0, 0.5, 0.0, 1.0, "we had it"),
    ("given", "indicator", 1.0, 0.9, 0.0, 1.0, "they had it"),
    ("given", "report", 3.0, 0.7, 1.0, 1.0, "new"),
    ("given", "threat-actor", 2.0, 0.5, 0.0, 1.0, "they had it"),
    ("given", "indicator", 1.0, 0.5, 1.0, 1.5, "new"),
    ("given", "location", 0.5, 0.5, 1.0, 1.5, "new"),
    ("given", "location", 0.5, 0.5, 1.0, 1.5, "new"),
    ("received", "indicator", 1.0, 0.7, 0.0, 1.0, "we had it"),
    ("received", "malware", 1.0, 0.9, 1.0, 1.0, "new"),
    ("received", "indicator", 1.0, 0.9, 0.5, 1.0, "update"),
])
assert got == want, got
assert all(o["why"] == "bookkeeping" and o["value"] == 0 for o in objs if o["weight"] == 0)
PY
# rus received both safe houses in one file: neither makes the other old news
python3 - "$TMP" <<'PY' && pass || fail "objects that arrived together were valued as already held"
import json, subprocess, sys
tmp = sys.argv[1]
out = subprocess.run([tmp + "/tl-at", "ledger", "--home", tmp + "/rus", "balance", "--json",
                      "--explain"], capture_output=True, text=True, check=True).stdout
locs = [(o["novelty"], o["corroboration"], o["value"]) for o in json.loads(out)["objects"]
        if o["type"] == "location"]
assert locs == [(1.0, 1.5, 0.375)] * 2, locs
PY

# the text report
run ledger --home "$TMP/usa" balance
expect_status 0 "balance"
expect_out_line "rus: given 9 objects worth 3.600, received 8 worth 2.050, net -1.550" "text summary"
expect_out_contains "2026-02                         0      0.000        3      1.350     +1.350" "text row"

# the SVG: one line through both months, its last point the cumulative net
run ledger --home "$TMP/usa" balance --svg "$TMP/b.svg"
expect_status 0 "balance --svg"
python3 - "$TMP/b.svg" <<'PY' && pass || fail "the SVG is not the balance over time"
import sys, xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()
groups = root.findall("s:g[@class='partner']", ns)
assert [g.get("data-partner") for g in groups] == ["rus"]
pts = groups[0].find("s:polyline", ns).get("points").split()
assert len(pts) == 2, pts
tips = [c.find("s:title", ns).text for c in groups[0].findall("s:circle", ns)]
assert tips == ["rus 2026-01: given 3.600, received 0.700, net -2.900, cumulative -2.900",
                "rus 2026-02: given 0.000, received 1.350, net +1.350, cumulative -1.550"], tips
ys = [float(p.split(",")[1]) for p in pts]
assert ys[0] > ys[1]  # -2.9 is drawn below -1.55
PY
run ledger --home "$TMP/usa" balance --by type --svg "$TMP/c.svg"
expect_status 2 "--svg wants --by period"
expect_err_line "tearline ledger: --svg draws the balance over time: use it with --by period" "--svg message"
run ledger --home "$TMP/usa" balance --by colour
expect_status 2 "--by colour"
expect_err_line "tearline ledger: --by 'colour' is not period, topic or type" "--by message"
run ledger --home "$TMP/usa" balance --period fortnight
expect_status 2 "--period fortnight"
expect_err_line "tearline ledger: balance: period 'fortnight' is not day, week, month or year" "--period message"
finish
