#!/usr/bin/env bash
# Sealed files across an air gap: usa seals its release for rus; rus opens it
# and holds exactly what was released, with usa as origin; the next file
# carries only what is new. A third node cannot open it; a changed or
# truncated file is refused with nothing stored.
. "$(dirname "$0")/lib.sh"
for p in usa rus gbr; do "$TEARLINE" init --home "$TMP/$p" --name $p > "$TMP/$p.txt" || exit 1; done
key() { awk '/public key/{print $3}' "$TMP/$1.txt"; }
agreement() { broad_agreement "$1" "$2" "$3" "$(key "$3")" "$4" "$(key "$4")"; }
agreement "$TMP/a.json" agreement--6c0f3a9e-2b1d-4c8e-9f7a-1e2d3c4b5a69 usa rus
countersign "$TMP/usa" "$TMP/rus" agreement--6c0f3a9e-2b1d-4c8e-9f7a-1e2d3c4b5a69 "$TMP/a.json" || { echo "setup failed"; exit 1; }
agreement "$TMP/g.json" agreement--0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f6a usa gbr
countersign "$TMP/usa" "$TMP/gbr" agreement--0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f6a "$TMP/g.json" || { echo "setup failed"; exit 1; }
python3 "$TL_SRC/bench/gen_corpus.py" --objects 500 "$TMP/corpus.json" 2>/dev/null || exit 1
"$TEARLINE" ingest --home "$TMP/usa" "$TMP/corpus.json" >/dev/null || exit 1

run seal --home "$TMP/usa" --to rus --out "$TMP/rus.sealed"
expect_status 0 "seal"
N=$(sql "$TMP/usa" "select count(*) from outbox where partner = 'rus'")
expect_out_line "sealed $N objects for rus in $TMP/rus.sealed" "seal summary"
expect_eq "$(stat -c %a "$TMP/rus.sealed")" "600" "sealed file mode"
if grep -q "identity--" "$TMP/rus.sealed"; then fail "the sealed file shows its contents"; else pass; fi

# a node it is not addressed to cannot open it
run unseal --home "$TMP/gbr" "$TMP/rus.sealed"
expect_status 1 "another node"
expect_err_line "tearline unseal: $TMP/rus.sealed cannot be opened: it is not addressed to this node, or it was changed or truncated; nothing was stored" "not addressed message"
# changed or truncated: refused, nothing stored
python3 - "$TMP/rus.sealed" "$TMP/bad.sealed" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[len(b) // 2] ^= 1
open(sys.argv[2], "wb").write(b)
PY
head -c 1000 "$TMP/rus.sealed" > "$TMP/short.sealed"
for f in bad short; do
  run unseal --home "$TMP/rus" "$TMP/$f.sealed"
  expect_status 1 "$f file refused"
  grep -q "nothing was stored" "$TMP/err" && pass || fail "$f message: $ERR"
done
echo "not sealed" > "$TMP/plain.sealed"
run unseal --home "$TMP/rus" "$TMP/plain.sealed"
expect_err_line "tearline unseal: $TMP/plain.sealed is not a tearline sealed file (or it is truncated)" "not a sealed file"
expect_eq "$(sql "$TMP/rus" "select count(*) from objects where origin = 'usa'")" "0" "nothing stored"

# the recipient opens it: exactly what was released
run unseal --home "$TMP/rus" "$TMP/rus.sealed"
expect_status 0 "unseal"
expect_out_line "unsealed from usa: $N objects, $N new, 0 already held" "unseal summary"
sql "$TMP/usa" "select json from outbox where partner='rus'" > "$TMP/out.jsonl"
sql "$TMP/rus" "select json from objects where origin='usa'" > "$TMP/got.jsonl"
python3 - "$TMP/out.jsonl" "$TMP/got.jsonl" <<'PY' && pass || fail "unsealed objects differ from the released ones"
import json, sys
out = [json.loads(l) for l in open(sys.argv[1])]
got = [json.loads(l) for l in open(sys.argv[2])]
key = lambda o: (o["id"], o["modified"])
assert sorted(out, key=key) == sorted(got, key=key)
PY
# the next file holds only what is new
"$TEARLINE" protect --home "$TMP/usa" add convoy >/dev/null
run seal --home "$TMP/usa" --to rus --out "$TMP/rus2.sealed"
expect_status 0 "second seal"
N2=$(sql "$TMP/usa" "select count(*) from outbox where partner = 'rus'")
expect_out_line "sealed $((N2 - N)) objects for rus in $TMP/rus2.sealed" "only what is new"
run unseal --home "$TMP/rus" "$TMP/rus2.sealed"
expect_status 0 "second unseal"
expect_eq "$(sql "$TMP/rus" "select count(*) from objects where origin = 'usa'")" "$N2" "every version held"
# a partner without an agreement gets nothing
run seal --home "$TMP/usa" --to fra --out "$TMP/fra.sealed"
expect_status 1 "no agreement with fra"
[ -e "$TMP/fra.sealed" ] && fail "a file was written for fra" || pass
finish
