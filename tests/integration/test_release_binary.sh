#!/usr/bin/env bash
# The release fails closed on binary content: an artifact's payload_bin (or
# any *_bin property) cannot be scanned for protected terms, so a release
# that would carry one publishes nothing and says which object. Kept home
# (NOFORN), such an object is withheld and the release goes through.
. "$(dirname "$0")/lib.sh"
U="$TMP/usa"
AID=agreement--1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9
A1=artifact--c7000000-0000-4000-8000-000000000001
A9=artifact--c7000000-0000-4000-8000-000000000009
for p in usa rus; do "$TEARLINE" init --home "$TMP/$p" --name $p > "$TMP/$p.txt" || exit 1; done
broad_agreement "$TMP/a.json" "$AID" usa "$(awk '/public key/{print $3}' "$TMP/usa.txt")" \
    rus "$(awk '/public key/{print $3}' "$TMP/rus.txt")"
# both artifacts are in scope by their ids
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); a["scope"]["refs"]=sys.argv[2:]; json.dump(a, open(sys.argv[1],"w"))' \
    "$TMP/a.json" "$A1" "$A9"
export TEARLINE_HOME="$U"
countersign "$U" "$TMP/rus" "$AID" "$TMP/a.json" || { echo "setup failed"; exit 1; }
artifact() { # ID NOFORN(0|1) FILE
    python3 - "$@" <<'PY'
import base64, json, sys
a = {"type": "artifact", "spec_version": "2.1", "id": sys.argv[1], "mime_type": "text/plain",
     "payload_bin": base64.b64encode(b"met handler at Station Alpha").decode()}
if sys.argv[2] == "1":
    a["extensions"] = {"extension-definition--bb13a4a1-e6c4-4412-ad4b-bef9a3a4a9db":
                       {"extension_type": "property-extension", "caveats": {"noforn": True}}}
json.dump({"type": "bundle", "id": "bundle--c7000000-0000-4000-8000-00000000000" + sys.argv[2], "objects": [a]},
          open(sys.argv[3], "w"))
PY
}
"$TEARLINE" protect add "Station Alpha" >/dev/null

# kept home: withheld, and the release goes through
artifact "$A9" 1 "$TMP/a9.json"
"$TEARLINE" ingest "$TMP/a9.json" >/dev/null || exit 1
run release --to rus --json --dry-run
expect_status 0 "a NOFORN artifact is withheld"
grep -q "\"object\":\"$A9\",\"rule\":\"noforn\"" "$TMP/err" && pass || fail "withheld as noforn: $(grep artifact "$TMP/err")"

# unmarked: the release stops, names it, and publishes nothing
artifact "$A1" 0 "$TMP/a1.json"
"$TEARLINE" ingest "$TMP/a1.json" >/dev/null || exit 1
before=$(sql "$U" "select count(*) from outbox")
for mode in --dry-run ""; do
    run release --to rus $mode
    expect_status 2 "a release carrying binary content ${mode:-published}"
    expect_err_line "tearline release: release to rus: $A1 carries binary content ('payload_bin') that cannot be scanned for protected terms; keep it home (NOFORN or TLP:RED) or remove the content; nothing was published" "binary content message"
done
expect_eq "$(sql "$U" "select count(*) from outbox")" "$before" "nothing published"
finish
