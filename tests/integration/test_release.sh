#!/usr/bin/env bash
# The release compiler on real nodes: every rule, nothing protected in the
# bytes that leave, per-partner ids, stable across versions, fail closed.
. "$(dirname "$0")/lib.sh"
TL="${TEARLINE_UNDER_TEST:-$TEARLINE}"
U="$TMP/usa"
for p in usa rus gbr; do "$TL" init --home "$TMP/$p" --name $p > "$TMP/$p.txt" || exit 1; done
key() { awk '/public key/{print $3}' "$TMP/$1.txt"; }
ID=agreement--6c0f3a9e-2b1d-4c8e-9f7a-1e2d3c4b5a69
GID=agreement--0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f6a
export TEARLINE_HOME="$U"
"$TL" ingest "$TL_SRC/tests/data/release-holdings.json" >/dev/null || exit 1
"$TL" protect add --kind station "Station Alpha" >/dev/null

# no agreement: nothing leaves
run release --to rus --dry-run
expect_status 1 "release without an agreement"
expect_err_line "tearline release: nothing may be released to 'rus': there is no agreement with 'rus'" "no agreement message"
sed -e "s/@PKU@/$(key usa)/" -e "s/@PKR@/$(key rus)/" "$TL_SRC/tests/data/agreement.json" > "$TMP/a-rus.json"
"$TL" agree propose "$TMP/a-rus.json" >/dev/null && "$TL" agree sign "$ID" >/dev/null
run release --to rus --dry-run
expect_status 1 "release under an agreement signed by one side only"
expect_err_line "tearline release: nothing may be released to 'rus': no agreement with 'rus' is both signed by every party and within its validity" "half-signed message"
TEARLINE="$TL" countersign "$U" "$TMP/rus" "$ID" "$TMP/a-rus.json" || { echo "countersign failed"; exit 1; }

# every decision, with its rule
run release --to rus --dry-run --json
expect_status 0 "dry run"
cp "$TMP/out" "$TMP/dry.json"
decision() { # decision ORIGINAL-ID ACTION RULE
  if grep -q "^{\"action\":\"$2\",\"detail\":\"[^\"]*\",\"object\":\"$1\",\"rule\":\"$3\"}$" "$TMP/err"; then pass; else fail "$1: expected $2/$3; got: $(grep "$1" "$TMP/err")"; fi
}
decision identity--7f3a1c2e-0b5d-4e8f-9a6b-1c2d3e4f5a6b withhold protected-source
decision identity--5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b withhold protected-source
decision threat-actor--3b2f0a9c-4d5e-4f60-8a1b-2c3d4e5f6a7b sanitize redacted
decision location--1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d sanitize in-scope
decision relationship--2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e sanitize in-scope
decision indicator--3c4d5e6f-7a8b-4c9d-8e0f-2a3b4c5d6e7f withhold noforn
decision relationship--4d5e6f7a-8b9c-4d0e-9f1a-3b4c5d6e7f80 withhold dangling-relationship
decision report--5e6f7a8b-9c0d-4e1f-8a2b-4c5d6e7f8091 withhold empty-container
decision report--6f7a8b9c-0d1e-4f2a-9b3c-5d6e7f8091a2 withhold tlp-red
decision threat-actor--7a8b9c0d-1e2f-4a3b-8c4d-6e7f8091a2b3 withhold third-party
decision threat-actor--8b9c0d1e-2f3a-4b4c-9d5e-7f8091a2b3c4 withhold out-of-scope
decision threat-actor--9c0d1e2f-3a4b-4c5d-8e6f-8091a2b3c4d5 withhold rel-to

# what leaves is valid STIX and holds nothing protected
if "$TL_SHARED/tools/stix-validate" "$TMP/dry.json" 2>/dev/null; then pass; else fail "dry run output fails stix-validate"; fi
python3 - "$TMP/dry.json" "$TL_SRC/tests/data/release-holdings.json" <<'PY' && pass || fail "protected content in the release"
import json, re, sys, unicodedata
text = open(sys.argv[1], encoding="utf-8").read()
held = json.load(open(sys.argv[2]))["objects"]
fold = unicodedata.normalize("NFKC", text).casefold()
for bad in ["cardamom", "station alpha", "allied service of ruritania", "12 baron street",
            "met handler", "bb13a4a1-e6c4-4412-ad4b-bef9a3a4a9db", "36.2021", "x_tearline"]:
    assert bad not in fold, bad
for o in held:
    assert o["id"] not in text, o["id"]
out = json.load(open(sys.argv[1]))["objects"]
names = [o.get("name", "") for o in out]
assert any(re.fullmatch(r"Source [0-9a-f]{4}", n) for n in names), names
ta = [o for o in out if o["type"] == "threat-actor"][0]
assert "[REDACTED]" in ta["description"]
rp = ta["extensions"]["extension-definition--5b0f7c8e-93a4-4d21-b6e5-2f1c0d9a8e47"]
assert rp["discipline_class"] == "human reporting" and rp["reliability"] == "B" and rp["credibility"] == 2
loc = [o for o in out if o["type"] == "location"][0]
assert "street_address" not in loc and loc["precision"] == 25000
rel = [o for o in out if o["type"] == "relationship"][0]
assert rel["start_time"] == "2026-01-04T00:00:00Z", rel["start_time"]
assert rel["source_ref"] == ta["id"] and rel["target_ref"] == loc["id"]
for o in out:
    sig = o["extensions"]["extension-definition--73efad38-24f0-4877-a91e-1eb1b95bf70c"]
    assert len(sig["signature"]) == 128
PY

# publish: once, then nothing new; an audit record per decision
run release --to rus
expect_status 0 "publish"
expect_out_contains "5 newly published" "first publish"
run release --to rus
expect_out_contains "0 newly published" "second publish adds nothing"
expect_eq "$(sql "$U" "select count(*) from outbox where partner = 'rus'")" "5" "outbox rows"
expect_eq "$(sql "$U" "select count(*) from audit where partner = 'rus'")" "26" "audit rows"

# a new version of an original keeps its tearline id; a new term makes a new version
TA_ID=$(python3 -c "import json,sys; print([o['id'] for o in json.load(open(sys.argv[1]))['objects'] if o['type']=='threat-actor'][0])" "$TMP/dry.json")
python3 - "$TL_SRC/tests/data/release-holdings.json" "$TMP/v2.json" <<'PY'
import json, sys
objs = json.load(open(sys.argv[1]))["objects"]
ta = [o for o in objs if o["id"] == "threat-actor--3b2f0a9c-4d5e-4f60-8a1b-2c3d4e5f6a7b"][0]
ta["modified"] = "2026-02-01T00:00:00.000Z"
ta["description"] = "Now based in Idlib."
json.dump(ta, open(sys.argv[2], "w"))
PY
"$TL" ingest "$TMP/v2.json" >/dev/null
run release --to rus
expect_out_contains "1 newly published" "a new original version is published"
expect_eq "$(sql "$U" "select count(*) from outbox where id = '$TA_ID'")" "2" "same tearline id, two versions"
"$TL" protect add "Idlib" >/dev/null
run release --to rus
expect_out_contains "1 newly published" "a new protected term makes a new version"
expect_eq "$(sql "$U" "select json from outbox where id = '$TA_ID' order by version desc limit 1" | grep -c 'Now based in \[REDACTED\]')" "1" "redacted in the new version"

# another partner gets unlinkable ids
sed -e "s/$ID/$GID/" -e "s/@PKU@/$(key usa)/" -e "s/@PKR@/$(key gbr)/" -e 's/"rus"/"gbr"/g' -e 's/Russian Federation/United Kingdom/' "$TL_SRC/tests/data/agreement.json" > "$TMP/a-gbr.json"
TEARLINE="$TL" countersign "$U" "$TMP/gbr" "$GID" "$TMP/a-gbr.json" || { echo "countersign gbr failed"; exit 1; }
run release --to gbr --dry-run
expect_status 0 "release to gbr"
python3 - "$TMP/dry.json" "$TMP/out" <<'PY' && pass || fail "ids are linkable across partners"
import json, sys
a = {o["id"] for o in json.load(open(sys.argv[1]))["objects"] if not o["id"].startswith("identity--") or "Source" in o.get("name","")}
b = {o["id"] for o in json.load(open(sys.argv[2]))["objects"]}
assert a and not (a & b), a & b
PY

# a leaked copy names the partner it was released to, and its original
"$TL" release --to gbr >/dev/null
sql "$U" "select json from outbox where partner = 'gbr'" > "$TMP/leak-gbr.jsonl"
run trace "$TMP/leak-gbr.jsonl"
expect_status 0 "trace a leaked copy"
expect_out_contains "released to gbr from threat-actor--9c0d1e2f-3a4b-4c5d-8e6f-8091a2b3c4d5" "trace names partner and original"
if grep -q "released to rus" "$TMP/out"; then fail "trace of the gbr copy names rus"; else pass; fi
run trace "$TL_SRC/tests/data/release-holdings.json"
expect_status 1 "originals were never released"

# revocation propagates to the released copy
python3 - "$TMP/v2.json" "$TMP/v3.json" <<'PY'
import json, sys
ta = json.load(open(sys.argv[1]))
ta["modified"] = "2026-03-01T00:00:00.000Z"
ta["revoked"] = True
json.dump(ta, open(sys.argv[2], "w"))
PY
"$TL" ingest "$TMP/v3.json" >/dev/null
run release --to rus
expect_out_contains "1 newly published" "the revocation is published"
expect_eq "$(sql "$U" "select json from outbox where id = '$TA_ID' order by version desc limit 1" | grep -c '"revoked":true')" "1" "the copy is revoked too"
finish
