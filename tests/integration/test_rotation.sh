#!/usr/bin/env bash
# Key rotation through an agreement update. usa rotates its key; while the
# agreement in force names the old key, usa still signs with it and rus
# accepts. Version 2 names the new key and carries the old key's
# endorsement: once countersigned, usa signs with the new key and rus, which
# pinned the old one, accepts it, and still accepts what the old key signed
# before. A version naming a key nobody endorsed (a forged usa) is refused,
# and so is an endorsement that does not verify. A rotation cut short by a
# crash is finished when the node is next opened.
. "$(dirname "$0")/lib.sh"
AID=agreement--6c0f3a9e-2b1d-4c8e-9f7a-1e2d3c4b5a69
for p in usa rus; do "$TEARLINE" init --home "$TMP/$p" --name $p > "$TMP/$p.txt" || exit 1; done
key() { awk '/public key/{print $3}' "$TMP/$1.txt"; }
K1=$(key usa)
broad_agreement "$TMP/v1.json" $AID usa "$K1" rus "$(key rus)"
countersign "$TMP/usa" "$TMP/rus" $AID "$TMP/v1.json" || { echo "setup failed"; exit 1; }
"$TEARLINE" partner add --home "$TMP/rus" usa --url http://127.0.0.1:9/ --key "$K1" >/dev/null || exit 1
python3 "$TL_SRC/bench/gen_corpus.py" --objects 200 "$TMP/corpus.json" 2>/dev/null || exit 1
"$TEARLINE" ingest --home "$TMP/usa" "$TMP/corpus.json" >/dev/null || exit 1

# signer keys of what rus holds from usa: "KEY COUNT" lines
signers() {
  sql "$TMP/rus" "select json from objects where origin = 'usa'" > "$TMP/held.jsonl"
  python3 - "$TMP/held.jsonl" <<'PY'
import collections, json, sys
ext = "extension-definition--73efad38-24f0-4877-a91e-1eb1b95bf70c"
c = collections.Counter(json.loads(j)["extensions"][ext]["public_key"] for j in open(sys.argv[1]))
for k, n in sorted(c.items()): print(k, n)
PY
}
seal_to_rus() { # seal_to_rus NAME [--all]: usa seals, rus unseals
  "$TEARLINE" seal --home "$TMP/usa" --to rus --out "$TMP/$1.sealed" "${@:2}" >/dev/null &&
    run unseal --home "$TMP/rus" "$TMP/$1.sealed"
}

seal_to_rus first
expect_status 0 "unseal before rotation"
N1=$(sql "$TMP/rus" "select count(*) from objects where origin = 'usa'")
expect_eq "$(signers)" "$K1 $N1" "signed with the first key"

# rotate
run key --home "$TMP/usa" rotate
expect_status 0 "key rotate"
K2=$(awk '/^public key/{print $3}' "$TMP/out")
expect_out_line "retired $K1" "rotate names the retired key"
[ ${#K2} -eq 64 ] && [ "$K2" != "$K1" ] && pass || fail "a new key: '$K2'"
run key --home "$TMP/usa" list
expect_eq "$(cat "$TMP/out")" "$K2  current
$K1  retired" "key list"
expect_eq "$(stat -c %a "$TMP/usa/retired.keys")" "600" "retired.keys mode"

# version 1 is still in force and names K1: usa signs with K1, rus accepts
"$TEARLINE" protect --home "$TMP/usa" add convoy >/dev/null
seal_to_rus second
expect_status 0 "unseal after rotation, before the new version"
N2=$(sql "$TMP/rus" "select count(*) from objects where origin = 'usa'")
[ "$N2" -gt "$N1" ] && pass || fail "the second file added nothing ($N1, $N2)"
expect_eq "$(signers)" "$K1 $N2" "still signed with the key in force"

# a version naming the retired key cannot be proposed any more
python3 - "$TMP/v1.json" "$TMP/v1b.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["version"] = 2; d["title"] = "old key"
json.dump(d, open(sys.argv[2], "w"))
PY
run agree --home "$TMP/usa" propose "$TMP/v1b.json"
expect_status 2 "propose naming a retired key"
expect_err_line "tearline agree: agreement $AID v2 names a key this node has retired for party 'usa'; a version this node signs must name its current key (tearline key list)" "retired key message"

# version 2 names K2; usa's signature comes with K1's endorsement
python3 - "$TMP/v1.json" "$TMP/v2.json" "$K2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["version"] = 2; d["parties"][0]["public_key"] = sys.argv[3]
json.dump(d, open(sys.argv[2], "w"))
PY
"$TEARLINE" agree --home "$TMP/usa" propose "$TMP/v2.json" >/dev/null || fail "propose v2"
"$TEARLINE" agree --home "$TMP/usa" sign $AID --version 2 >/dev/null || fail "sign v2"
"$TEARLINE" agree --home "$TMP/usa" export $AID --version 2 > "$TMP/v2s.json"
python3 - "$TMP/v2s.json" "$K1" <<'PY' && pass || fail "no endorsement by the retired key in the signed copy"
import json, sys
s = json.load(open(sys.argv[1]))["signatures"]
assert [e["party"] for e in s] == ["usa", "usa"] and s[1]["key"] == sys.argv[2] and "key" not in s[0], s
PY
# an endorsement that does not verify is refused whole
python3 - "$TMP/v2s.json" "$TMP/v2bad.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sig = d["signatures"][1]["signature"]
d["signatures"][1]["signature"] = ("0" if sig[0] != "0" else "1") + sig[1:]
json.dump(d, open(sys.argv[2], "w"))
PY
run agree --home "$TMP/rus" import "$TMP/v2bad.json"
expect_status 1 "tampered endorsement"
grep -q "the endorsement of party 'usa' by its earlier key does not verify" "$TMP/err" && pass || fail "endorsement message: $ERR"
# countersigned: usa now signs with K2, and rus trusts K2 through K1's endorsement
"$TEARLINE" agree --home "$TMP/rus" import "$TMP/v2s.json" >/dev/null &&
  "$TEARLINE" agree --home "$TMP/rus" sign $AID --version 2 >/dev/null &&
  "$TEARLINE" agree --home "$TMP/rus" export $AID --version 2 > "$TMP/v2c.json" &&
  "$TEARLINE" agree --home "$TMP/usa" import "$TMP/v2c.json" >/dev/null && pass || fail "countersign v2"
run agree --home "$TMP/rus" show $AID --version 2
expect_out_contains "party usa          signed      key ${K2:0:16}...  endorsed by its earlier key ${K1:0:16}..." "show names the endorsement"
python3 "$TL_SRC/bench/gen_corpus.py" --objects 100 --seed 8 "$TMP/more.json" 2>/dev/null || exit 1
"$TEARLINE" ingest --home "$TMP/usa" "$TMP/more.json" >/dev/null || exit 1
seal_to_rus third
expect_status 0 "unseal under version 2"
N3=$(sql "$TMP/rus" "select count(*) from objects where origin = 'usa'")
[ "$N3" -gt "$N2" ] && pass || fail "the third file added nothing ($N2, $N3)"
expect_eq "$(signers | sort)" "$(printf '%s\n' "$K1 $N2" "$K2 $((N3 - N2))" | sort)" "new objects signed with the new key"
# everything ever released, old key and new, still verifies
seal_to_rus all --all
expect_status 0 "unseal of every version"
expect_out_line "unsealed from usa: $N3 objects, 0 new, $N3 already held" "every version accepted"

# a forged usa: a version naming a key that no usa key endorsed is refused at use
"$TEARLINE" init --home "$TMP/evil" --name usa > "$TMP/evil.txt" || exit 1
K3=$(key evil)
python3 - "$TMP/v1.json" "$TMP/v3.json" "$K3" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["version"] = 3; d["parties"][0]["public_key"] = sys.argv[3]
json.dump(d, open(sys.argv[2], "w"))
PY
countersign "$TMP/evil" "$TMP/rus" $AID "$TMP/v3.json" 3 || fail "countersign the forged version"
"$TEARLINE" ingest --home "$TMP/evil" "$TMP/corpus.json" >/dev/null || exit 1
"$TEARLINE" seal --home "$TMP/evil" --to rus --out "$TMP/evil.sealed" >/dev/null || fail "forged seal"
run unseal --home "$TMP/rus" "$TMP/evil.sealed"
expect_status 2 "a key nobody endorsed"
expect_err_line "tearline unseal: partner usa: its key in agreement $AID version 3 (${K3:0:16}...) is neither the key pinned with 'partner add --key' nor endorsed, through the agreement's versions, by it" "unendorsed key message"
expect_eq "$(sql "$TMP/rus" "select count(*) from objects where origin = 'usa'")" "$N3" "nothing stored from the forged usa"

# a rotation cut short after identity.key was written: the next open finishes it
"$TEARLINE" key --home "$TMP/usa" rotate > "$TMP/rot2.txt" || fail "second rotation"
K4=$(awk '/^public key/{print $3}' "$TMP/rot2.txt")
sql "$TMP/usa" "update meta set value = '$K2' where key = 'public_key'"
run key --home "$TMP/usa" list
expect_eq "$(head -1 "$TMP/out")" "$K4  current" "the cut-short rotation finished"
expect_eq "$(sql "$TMP/usa" "select value from meta where key = 'public_key'")" "$K4" "store key settled"
finish
