#!/usr/bin/env bash
# Two nodes on loopback exchange both ways over TAXII: each releases to the
# other and serves; each pulls the other's release with signatures checked,
# page by page, and a second pull adds nothing. A tampered object stops the
# pull with nothing of its page stored; a wrong credential or pinned key is
# refused with a clear message.
. "$(dirname "$0")/lib.sh"
for p in usa rus; do "$TEARLINE" init --home "$TMP/$p" --name $p > "$TMP/$p.txt" || exit 1; done
key() { awk '/public key/{print $3}' "$TMP/$1.txt"; }
broad_agreement "$TMP/a.json" agreement--6c0f3a9e-2b1d-4c8e-9f7a-1e2d3c4b5a69 usa "$(key usa)" rus "$(key rus)"
countersign "$TMP/usa" "$TMP/rus" agreement--6c0f3a9e-2b1d-4c8e-9f7a-1e2d3c4b5a69 "$TMP/a.json" || { echo "setup failed"; exit 1; }
SERVERS=()
trap 'kill ${SERVERS[*]} 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
declare -A PORT SECRET
seed=1
for p in usa rus; do
  other=$([ $p = usa ] && echo rus || echo usa)
  python3 "$TL_SRC/bench/gen_corpus.py" --objects 600 --seed $seed "$TMP/$p-corpus.json" 2>/dev/null || exit 1
  seed=$((seed + 1))
  "$TEARLINE" ingest --home "$TMP/$p" "$TMP/$p-corpus.json" >/dev/null || exit 1
  "$TEARLINE" release --home "$TMP/$p" --to $other >/dev/null || { echo "release $p failed"; exit 1; }
  "$TEARLINE" partner --home "$TMP/$p" add $other >/dev/null || exit 1
  SECRET[$p]=$("$TEARLINE" partner --home "$TMP/$p" grant $other | awk '/HTTP Basic/{print $NF}')
  "$TEARLINE" serve --home "$TMP/$p" --listen 127.0.0.1:0 --access-log "$TMP/$p-access.log" > "$TMP/$p-serve.out" 2>&1 &
  SERVERS+=($!)
  PORT[$p]=$(listening_port "$TMP/$p-serve.out")
done
[ -n "${PORT[usa]}" ] && [ -n "${PORT[rus]}" ] && pass || { fail "servers did not start"; finish; exit 1; }

released() { sql "$TMP/$1" "select count(distinct id) from outbox where partner = '$2'"; }
held_from() { sql "$TMP/$1" "select count(distinct id) from objects where origin = '$2' and type not in ('x-tearline-receipt', 'x-tearline-witness')"; }

# usa watches for partner reporting: a pull that stores something runs the watchlists
printf '{"name": "partner reporting", "new": [{"predicate": ["located-at", "sighted-at", "member-of", "attributed-to", "uses", "targets", "co-occurs-with"], "origin": "partner"}]}' > "$TMP/rule.json"
"$TEARLINE" watch --home "$TMP/usa" add "$TMP/rule.json" >/dev/null || fail "watch add"

# each pulls the other's release, in pages of 40
for p in usa rus; do
  other=$([ $p = usa ] && echo rus || echo usa)
  "$TEARLINE" partner --home "$TMP/$p" add $other --url "http://127.0.0.1:${PORT[$other]}/api/" \
    --credential "$p:${SECRET[$other]}" >/dev/null || exit 1
  run pull --home "$TMP/$p" --from $other --page 40
  expect_status 0 "$p pulls from $other"
  n=$(released $other $p)
  [ "$n" -gt 80 ] && pass || fail "$other released too little to page: $n"
  expect_eq "$(held_from $p $other)" "$n" "$p holds every object $other released to it"
  expect_out_contains "pulled from $other: $n objects" "$p pull summary"
  expect_out_line "receipts: 1 signed and kept, 1 delivered to $other" "$p sends a receipt"
  if [ $p = usa ]; then
    grep -qE "^watch: [1-9][0-9]* new alert\(s\) \(tearline watch alerts\)$" "$TMP/out" && pass || fail "the pull ran the watchlists: $(cat "$TMP/out")"
  fi
  # the releasing node holds the receipt and checks it against what it published
  run receipts --home "$TMP/$other" --partner $p
  expect_status 0 "$other lists receipts"
  expect_out_line "1 receipts from $p acknowledge $n objects, $n of them published to $p" "$other's receipts from $p"
  # nothing twice: a second pull adds nothing
  run pull --home "$TMP/$p" --from $other --page 40
  expect_status 0 "$p pulls again"
  expect_out_line "pulled from $other: 0 objects in 1 pages, 0 new, 0 already held, 0 refused" "second pull is empty"
  grep -q "^watch:" "$TMP/out" && fail "a pull that stores nothing raises no alert" || pass
done
# an interrupted pull: a proxy that fails after three pages stops the pull;
# the next pull, straight to the server, resumes after the stored pages
"$TEARLINE" init --home "$TMP/fra" --name fra > "$TMP/fra.txt" || exit 1
python3 - "$TMP/f.json" "$(key usa)" "$(key fra)" <<'PY'
import json, sys
a = json.load(open(sys.argv[1].replace("f.json", "a.json")))
a["id"] = "agreement--0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f6a"
a["parties"] = [{"code": "usa", "public_key": sys.argv[2]}, {"code": "fra", "public_key": sys.argv[3]}]
json.dump(a, open(sys.argv[1], "w"))
PY
countersign "$TMP/usa" "$TMP/fra" agreement--0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f6a "$TMP/f.json" || { echo "setup failed"; exit 1; }
"$TEARLINE" release --home "$TMP/usa" --to fra >/dev/null || exit 1
"$TEARLINE" partner --home "$TMP/usa" add fra >/dev/null
FRA=$("$TEARLINE" partner --home "$TMP/usa" grant fra | awk '/HTTP Basic/{print $NF}')
python3 "$TL_SRC/tests/integration/flaky_proxy.py" "${PORT[usa]}" 3 "$TMP/proxy.port" &
SERVERS+=($!)
for _ in $(seq 100); do [ -s "$TMP/proxy.port" ] && break; sleep 0.05; done
"$TEARLINE" partner --home "$TMP/fra" add usa --url "http://127.0.0.1:$(cat "$TMP/proxy.port")/api/" \
  --credential "fra:$FRA" >/dev/null
run pull --home "$TMP/fra" --from usa --page 20 --retries 1
expect_status 1 "the pull stops when the server fails"
grep -q "HTTP 503 (after 1 attempts)" "$TMP/err" && pass || fail "failure message: $ERR"
expect_eq "$(held_from fra usa)" "60" "the three pages before the failure are kept"
"$TEARLINE" partner --home "$TMP/fra" add usa --url "http://127.0.0.1:${PORT[usa]}/api/" >/dev/null
run pull --home "$TMP/fra" --from usa --page 20
expect_status 0 "the pull resumes"
expect_eq "$(held_from fra usa)" "$(released usa fra)" "nothing lost"
# it resumed from the checkpoint of the last stored page: nothing fetched twice
expect_out_contains "$(( $(released usa fra) - 60 )) new, 0 already held" "resumed after the stored pages"

# push: rus releases anew and pushes to usa's inbox; usa holds it, signature checked
"$TEARLINE" protect --home "$TMP/rus" add convoy >/dev/null
run push --home "$TMP/rus" --to usa --page 25
expect_status 0 "push"
expect_out_contains "pushed to usa: " "push summary"
expect_eq "$(sql "$TMP/usa" "select count(*) from objects where origin='rus' and type not in ('x-tearline-receipt', 'x-tearline-witness')")" \
  "$(sql "$TMP/rus" "select count(*) from outbox where partner='usa'")" "usa holds every version rus published to it"
run push --home "$TMP/rus" --to usa
expect_out_line "pushed to usa: 0 objects accepted" "a second push sends nothing"

# receipts are kept by both sides and never released
run release --home "$TMP/rus" --to usa --dry-run --json
# rus's own receipt and the one usa sent it are both withheld as receipts
expect_eq "$(grep -c '"object":"x-tearline-receipt--[^"]*","rule":"receipt"' "$TMP/err")" "2" "receipts withheld"
if grep -q "x-tearline-receipt" "$TMP/out"; then fail "a receipt was released"; else pass; fi
# and so are usa's signed accounts of its ledger: the one it sent with its receipt
# and the one its witness collection served rus's pull
expect_eq "$(grep -c '"object":"x-tearline-witness--[^"]*","rule":"witness"' "$TMP/err")" "2" "witnesses withheld"
if grep -q "x-tearline-witness" "$TMP/out"; then fail "a witness was released"; else pass; fi
# what was pulled is exactly what was released, signature included
sql "$TMP/usa" "select json from outbox where partner='rus'" > "$TMP/out.jsonl"
sql "$TMP/rus" "select json from objects where origin='usa' and type not in ('x-tearline-receipt', 'x-tearline-witness')" > "$TMP/got.jsonl"
python3 - "$TMP/out.jsonl" "$TMP/got.jsonl" <<'PY' && pass || fail "pulled objects differ from the released ones"
import json, sys
out = {o["id"]: o for o in map(json.loads, open(sys.argv[1]))}
got = {o["id"]: o for o in map(json.loads, open(sys.argv[2]))}
assert out.keys() == got.keys()
assert all(out[k] == got[k] for k in out)
PY

# a new release to rus (new versions after a new protected term) comes in on the next pull
"$TEARLINE" protect --home "$TMP/usa" add convoy >/dev/null
"$TEARLINE" release --home "$TMP/usa" --to rus >/dev/null
run pull --home "$TMP/rus" --from usa --page 40
expect_status 0 "pull of the new versions"
NEWV=$(sql "$TMP/rus" "select count(*) from objects where origin='usa' and type not in ('x-tearline-receipt', 'x-tearline-witness')")
expect_eq "$NEWV" "$(sql "$TMP/usa" "select count(*) from outbox where partner='rus'")" "every new version pulled"

# a tampered object: the pull stops, stores nothing of its page, the checkpoint stays
"$TEARLINE" protect --home "$TMP/usa" add checkpoint >/dev/null
"$TEARLINE" release --home "$TMP/usa" --to rus >/dev/null
VICTIM=$(sql "$TMP/usa" "select id from outbox where partner='rus' order by seq desc limit 1")
sql "$TMP/usa" "update outbox set json = replace(json, '\"spec_version\":\"2.1\"', '\"spec_version\":\"2.1\",\"x_note\":\"edited\"') where id = '$VICTIM' and seq = (select max(seq) from outbox)"
BEFORE=$(sql "$TMP/rus" "select count(*) from objects where origin='usa' and type not in ('x-tearline-receipt', 'x-tearline-witness')")
run pull --home "$TMP/rus" --from usa --page 1000
expect_status 1 "a tampered object stops the pull"
grep -q "object $VICTIM is refused: its signature does not verify" "$TMP/err" && pass || fail "tamper message: $ERR"
expect_eq "$(sql "$TMP/rus" "select count(*) from objects where origin='usa' and type not in ('x-tearline-receipt', 'x-tearline-witness')")" "$BEFORE" "nothing of the page stored"
run pull --home "$TMP/rus" --from usa --page 1000 --skip-bad
expect_status 0 "--skip-bad goes on"
expect_out_contains ", 1 refused" "one refused"
sql "$TMP/rus" "select json from objects where id = '$VICTIM'" | grep -q x_note && fail "the tampered version was stored" || pass

# usa holds rus's receipts for each pull that brought something, all matching
run receipts --home "$TMP/usa" --partner rus
grep -q "DIGEST MISMATCH" "$TMP/out" && fail "a receipt digest mismatch" || pass
# a wrong credential, a pinned key that is not the agreement's, an unknown partner
"$TEARLINE" partner --home "$TMP/rus" add usa --credential "rus:0000" >/dev/null
run pull --home "$TMP/rus" --from usa
expect_status 1 "wrong credential"
grep -q "HTTP 401" "$TMP/err" && pass || fail "401 message: $ERR"
"$TEARLINE" partner --home "$TMP/rus" add usa --credential "rus:${SECRET[usa]}" --key "$(key rus)" >/dev/null
run pull --home "$TMP/rus" --from usa
expect_status 2 "a pinned key that differs from the agreement"
grep -q "is neither the key pinned with 'partner add --key' nor endorsed" "$TMP/err" && pass || fail "key message: $ERR"
run pull --home "$TMP/rus" --from fra
expect_status 1 "unknown partner"
expect_err_line "tearline pull: fra is not a partner with a TAXII URL (tearline partner add fra --url ...)" "unknown partner message"
finish
