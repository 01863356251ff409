#!/usr/bin/env bash
# Agreements between two real nodes: propose, sign, exchange, countersign,
# verify, and a claim that more was agreed refuted by the signed text.
. "$(dirname "$0")/lib.sh"
U="$TMP/usa"; R="$TMP/rus"
"$TEARLINE" init --home "$U" --name usa > "$TMP/usa.txt" || exit 1
"$TEARLINE" init --home "$R" --name rus > "$TMP/rus.txt" || exit 1
PKU=$(awk '/public key/{print $3}' "$TMP/usa.txt")
PKR=$(awk '/public key/{print $3}' "$TMP/rus.txt")
ID=agreement--6c0f3a9e-2b1d-4c8e-9f7a-1e2d3c4b5a69
sed -e "s/@PKU@/$PKU/" -e "s/@PKR@/$PKR/" "$TL_SRC/tests/data/agreement.json" > "$TMP/a1.json"

run agree --home "$U" propose "$TMP/a1.json"
expect_status 0 "propose"
expect_out_contains "proposed $ID v1: awaiting signatures" "propose output"
run agree --home "$U" verify "$ID"
expect_status 1 "verify before any signature"
expect_out_contains "party rus          NOT SIGNED" "verify lists the missing signature"
run agree --home "$U" sign "$ID"
expect_status 0 "usa signs"
"$TEARLINE" agree --home "$U" export "$ID" > "$TMP/usa-signed.json"
run agree --home "$R" import "$TMP/usa-signed.json"
expect_status 0 "rus imports"
run agree --home "$R" sign "$ID" --version 1
expect_status 0 "rus countersigns"
expect_out_contains "signed $ID v1 as rus: in force" "countersigned output"
"$TEARLINE" agree --home "$R" export "$ID" > "$TMP/both.json"
run agree --home "$U" import "$TMP/both.json"
expect_status 0 "usa imports the countersigned copy"
run agree --home "$U" list
expect_out_contains "in force" "list shows in force"
run agree --home "$U" verify "$ID"
expect_status 0 "verify countersigned"
expect_out_contains "$ID v1: signatures verify; signed by every party" "verify output"

# the signed text itself is confirmed
run agree --home "$R" verify --file "$TMP/both.json"
expect_status 0 "the signed text is confirmed"
expect_out_contains "CONFIRMED: $ID v1, this exact text, is signed by every party" "confirmed"

# rus claims usa promised 50 items a month, keeping the signatures: they do not verify
python3 - "$TMP/both.json" "$TMP/claim.json" "$TMP/claim-unsigned.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["commitments"]:
    if c["party"] == "usa":
        c["at_least"] = 50
json.dump(d, open(sys.argv[2], "w"))
del d["signatures"]
json.dump(d, open(sys.argv[3], "w"))
PY
run agree --home "$U" verify --file "$TMP/claim.json"
expect_status 1 "a doctored claim is refuted"
expect_out_contains "REFUTED: $TMP/claim.json: the signature of party 'usa' does not verify" "refuted by signature"
# ... and without the signatures, by the countersigned text
run agree --home "$U" verify --file "$TMP/claim-unsigned.json"
expect_status 1 "an unsigned claim is refuted"
expect_out_contains "REFUTED: $ID v1 as countersigned by every party differs from this text in: commitments" "refuted by text"
# changing the agreement under the same version is refused
run agree --home "$U" import "$TMP/claim-unsigned.json"
expect_status 2 "same version, other text"
expect_err_line "tearline agree: agreement $ID v1: this text differs from the one held in: commitments; a change needs a new version signed again by every party" "conflict message"
# a malformed agreement names the member
sed 's/"tlp_max": "amber"/"tlp_max": "red"/' "$TMP/a1.json" | sed 's/"version": 1/"version": 2/' > "$TMP/red.json"
run agree --home "$U" propose "$TMP/red.json"
expect_status 2 "red TLP in the rules"
expect_err_line "tearline agree: $TMP/red.json: 'rules.tlp_max' must be clear, green, amber or amber+strict (red never leaves)" "rules message"
# a period measured in seconds is fine, unless it makes more than 1,000,000 of them
python3 - "$TMP/a1.json" "$TMP/fast.json" "$TMP/hourly.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
a["version"] = 2
a["commitments"][0]["period"] = "PT1S"
json.dump(a, open(sys.argv[2], "w"))
a["commitments"][0]["period"] = "PT1H"
a["id"] = "agreement--11111111-2b1d-4c8e-9f7a-1e2d3c4b5a69"
a["version"] = 1
json.dump(a, open(sys.argv[3], "w"))
PY
run agree --home "$U" propose "$TMP/fast.json"
expect_status 2 "too many periods"
expect_err_line "tearline agree: $TMP/fast.json: 'commitments[0]' 'period' PT1S makes more than 1,000,000 periods between 'valid_from' and 'valid_until'" "periods message"
run agree --home "$U" propose "$TMP/hourly.json"
expect_status 0 "an hourly commitment"
run agree --home "$U" show "$ID" --json
expect_out_contains '"code": "rus"' "show --json"
run agree --home "$U" sign agreement--00000000-2b1d-4c8e-9f7a-1e2d3c4b5a69
expect_status 1 "sign unknown"
expect_err_line "tearline agree: agreement agreement--00000000-2b1d-4c8e-9f7a-1e2d3c4b5a69 is not held" "unknown agreement"
finish
