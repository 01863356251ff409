#!/usr/bin/env bash
# The ledger: what the exchange writes into it on both sides (agreement,
# release, received, receipt, acknowledged), each kind of tampering
# (one byte changed, an entry deleted, two swapped, the end cut off)
# detected and located by `tearline ledger verify` and refused by `serve`,
# and kill -9 in the middle of appends leaving a chain that verifies.
. "$(dirname "$0")/lib.sh"
AID=agreement--6c0f3a9e-2b1d-4c8e-9f7a-1e2d3c4b5a69
for p in usa rus; do "$TEARLINE" init --home "$TMP/$p" --name $p > "$TMP/$p.txt" || exit 1; done
key() { awk '/public key/{print $3}' "$TMP/$1.txt"; }
broad_agreement "$TMP/a.json" $AID usa "$(key usa)" rus "$(key rus)"
countersign "$TMP/usa" "$TMP/rus" $AID "$TMP/a.json" || { echo "setup failed"; exit 1; }
python3 "$TL_SRC/bench/gen_corpus.py" --objects 300 "$TMP/corpus.json" 2>/dev/null || exit 1
"$TEARLINE" ingest --home "$TMP/usa" "$TMP/corpus.json" >/dev/null || exit 1
"$TEARLINE" release --home "$TMP/usa" --to rus >/dev/null || exit 1
# rus pulls over TAXII and sends its receipt
"$TEARLINE" partner --home "$TMP/usa" add rus >/dev/null || exit 1
SECRET=$("$TEARLINE" partner --home "$TMP/usa" grant rus | awk '/HTTP Basic/{print $NF}')
"$TEARLINE" serve --home "$TMP/usa" --listen 127.0.0.1:0 > "$TMP/serve.out" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$TMP"' EXIT
PORT=$(listening_port "$TMP/serve.out")
"$TEARLINE" partner --home "$TMP/rus" add usa --url "http://127.0.0.1:$PORT/api/" \
  --credential "rus:$SECRET" >/dev/null
run pull --home "$TMP/rus" --from usa --page 50
expect_status 0 "pull"
N0=$(sql "$TMP/usa" "select count(*) from outbox where partner = 'rus'")

# both sides reconcile cleanly
run ledger --home "$TMP/usa" reconcile rus
expect_status 0 "usa reconciles with rus"
expect_out_line "no discrepancies" "usa: no discrepancies"
expect_out_contains "rus's signed account: its ledger at entry" "usa holds rus's witness"
run ledger --home "$TMP/rus" reconcile usa
expect_status 0 "rus reconciles with usa"
expect_out_contains "usa's signed account: its ledger at entry" "rus holds the witness usa served it"

N=$(sql "$TMP/usa" "select count(*) from outbox where partner = 'rus'")
kinds() { sql "$TMP/$1" "select kind || ' ' || party from ledger order by seq" | uniq -c | awk '{print $2, $3}'; }
expect_eq "$(kinds usa)" "agreement rus
release rus
receipt rus
witness rus" "usa's ledger: signed, released, acknowledged by rus, rus's account"
expect_eq "$(kinds rus)" "agreement usa
received usa
acknowledged usa
witness usa" "rus's ledger: signed, received, acknowledged, usa's account"
# the release entry lists every published object; what rus received adds up to the same
sql "$TMP/usa" "select payload from ledger where kind = 'release'" > "$TMP/rel.json"
sql "$TMP/usa" "select id || ' ' || version from outbox where partner = 'rus'" > "$TMP/out.txt"
sql "$TMP/rus" "select payload from ledger where kind = 'received'" > "$TMP/received.jsonl"
python3 - "$TMP/rel.json" "$TMP/out.txt" "$TMP/received.jsonl" <<'PY' && pass || fail "ledger payloads do not match the outbox"
import json, sys
rel = json.load(open(sys.argv[1]))
out = {tuple(l.split()) for l in open(sys.argv[2])}
assert {(o[0], o[1]) for o in rel["objects"]} == out and sum(rel["types"].values()) == len(out)
got = set()
for p in open(sys.argv[3]):
    got |= {tuple(o) for o in json.loads(p)["objects"]}
assert got == out, (len(got), len(out))
PY
run ledger --home "$TMP/usa" show --kind release
expect_out_contains "released $N objects to rus under $AID v1" "show the release"
for p in usa rus; do
  run ledger --home "$TMP/$p" verify
  expect_status 0 "$p's ledger verifies"
  expect_out_contains "the ledger verifies:" "$p verify output"
done
BEFORE=$(sql "$TMP/usa" "select max(seq) from ledger")
run ledger --home "$TMP/usa" note --partner rus "rus asked for more on Pankisi"
expect_out_line "entry $((BEFORE + 1))" "a note is the next entry"
LAST=$(sql "$TMP/usa" "select max(seq) from ledger")
REL=$(sql "$TMP/usa" "select seq from ledger where kind = 'release'")
NEXT=$((REL + 1))

# tampering, each on a fresh copy of usa: detected, and the first bad entry named
copy_usa() { # copy_usa NAME: a copy of usa's home, and of its store if that is a database
  rm -rf "$TMP/$1" && cp -r "$TMP/usa" "$TMP/$1" || return 1
  if on_pg; then
    local from to
    from=$(store_of "$TMP/usa")
    to="${from%/*}/${from##*/}_$1"
    psql -qAt "$from" -c "CREATE DATABASE ${from##*/}_$1" >/dev/null &&
      pg_dump "$from" | psql -qAt "$to" >/dev/null &&
      sed -i "s|^store = .*|store = $to|" "$TMP/$1/node.conf"
  fi
}
tamper() { # tamper NAME SQL: a copy of usa with SQL applied to its store
  copy_usa "$1" && sql "$TMP/$1" "$2" >/dev/null
}
if on_pg; then RANDOM64="decode(repeat('ab', 64), 'hex')"; else RANDOM64="randomblob(64)"; fi
verify_says() { # verify_says NAME LINE
  run ledger --home "$TMP/$1" verify
  expect_status 1 "$1 detected"
  expect_out_line "the ledger does NOT verify: $2" "$1 located"
}
tamper byte "update ledger set summary = replace(summary, 'released', 'releaseD') where seq = $REL"
verify_says byte "entry $REL was changed (its hash does not match its content)"
tamper payload "update ledger set payload = replace(payload, '\"withheld\":', '\"withheld\":1') where seq = $REL"
verify_says payload "entry $REL: its payload was changed"
tamper deleted "delete from ledger where seq = $REL"
verify_says deleted "entry $REL is missing (the next one held is $NEXT)"
tamper swapped "update ledger set seq = -1 where seq = $REL; update ledger set seq = $REL where seq = $NEXT;
                update ledger set seq = $NEXT where seq = -1"
verify_says swapped "entry $REL does not follow entry $((REL - 1)): entries were reordered, or one before it was changed or removed"
tamper retimed "update ledger set time = time + 1 where seq = $NEXT"
verify_says retimed "entry $NEXT was changed (its hash does not match its content)"
tamper truncated "delete from ledger where seq = $LAST; delete from ledger_checkpoints where seq = $LAST"
verify_says truncated "the ledger ends at entry $((LAST - 1)) but its signed head records entry $LAST: it was truncated"
tamper cut "delete from ledger where seq = $LAST"
verify_says cut "the ledger ends at entry $((LAST - 1)) but a signed checkpoint records entry $LAST: it was truncated"
tamper forged "update ledger_checkpoints set signature = $RANDOM64 where seq = $LAST"
verify_says forged "the checkpoint at entry $LAST: its signature does not verify"
# serve refuses to start on a ledger that does not verify
timeout 10 "$TEARLINE" serve --home "$TMP/byte" --listen 127.0.0.1:0 > "$TMP/out" 2> "$TMP/err"
STATUS=$? OUT=$(cat "$TMP/out") ERR=$(cat "$TMP/err")
expect_status 1 "serve on a tampered ledger (124 if it served)"
expect_err_line "tearline serve: the ledger does not verify: entry $REL was changed (its hash does not match its content) (tearline ledger verify)" "serve names the bad entry"

# planted: usa releases more that rus has not pulled; rus releases to usa what usa never pulled
"$TEARLINE" protect --home "$TMP/usa" add convoy >/dev/null
"$TEARLINE" release --home "$TMP/usa" --to rus >/dev/null || fail "second release"
NEW=$(( $(sql "$TMP/usa" "select count(*) from outbox where partner = 'rus'") - N0 ))
run ledger --home "$TMP/usa" reconcile rus
expect_status 1 "a release not yet acknowledged is a discrepancy"
expect_out_line "DISCREPANCY: released to rus but never acknowledged: $NEW objects" "unacknowledged release listed"
python3 "$TL_SRC/bench/gen_corpus.py" --objects 100 --seed 5 "$TMP/rus-own.json" 2>/dev/null || exit 1
"$TEARLINE" ingest --home "$TMP/rus" "$TMP/rus-own.json" >/dev/null || exit 1
"$TEARLINE" release --home "$TMP/rus" --to usa >/dev/null || fail "rus releases"
M=$(sql "$TMP/rus" "select count(*) from outbox where partner = 'usa'")
run pull --home "$TMP/rus" --from usa
expect_status 0 "second pull"
run ledger --home "$TMP/usa" reconcile rus
expect_status 1 "rus's release that usa never pulled is a discrepancy"
expect_eq "$OUT" "reconcile with rus: released $((N0 + NEW)), acknowledged by rus $((N0 + NEW)); received 0, acknowledged by us 0
$(grep "signed account" "$TMP/out")
DISCREPANCY: rus records releasing $M objects to usa; usa has received 0" "only rus's unpulled release differs"
kill $SERVER; wait $SERVER 2>/dev/null

# the audit trail: every decision of the first release, every TAXII request, admin actions
FIRST=$(sql "$TMP/usa" "select min(time) from audit where action in ('release', 'withhold')")
expect_eq "$(sql "$TMP/usa" "select count(distinct object) from audit where time = $FIRST")" \
  "$(sql "$TMP/usa" "select count(distinct id) from objects where origin = '' and added < $FIRST")" \
  "one decision per holding in the first release"
run audit --home "$TMP/usa" --partner rus --json
expect_status 0 "audit listing"
python3 - "$TMP/out" <<'PY' && pass || fail "TAXII requests and admin actions missing from the audit trail"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
gets = [r for r in recs if r["action"] == "GET" and r["rule"] == "200" and "/objects/" in r["object"]]
posts = [r for r in recs if r["action"] == "POST" and r["rule"] == "202"]
grant = [r for r in recs if r["action"] == "partner-grant" and r["rule"] == "admin"]
assert gets and posts and grant, (len(gets), len(posts), len(grant))
PY
run audit --home "$TMP/usa" verify
expect_status 0 "the audit trail verifies"
expect_out_contains "the audit trail verifies:" "audit verify output"
A=$(sql "$TMP/usa" "select seq from audit where action = 'partner-grant'")
tamper audit1 "update audit set detail = 'nothing' where seq = $A"
run audit --home "$TMP/audit1" verify
expect_status 1 "a changed audit record"
expect_out_line "the audit trail does NOT verify: record $A was changed (its hash does not match its content)" "changed record named"
tamper audit2 "delete from audit where seq = $A"
run audit --home "$TMP/audit2" verify
expect_out_line "the audit trail does NOT verify: record $A is missing (the next one held is $((A + 1)))" "deleted record named"

# the end cut off: audit.head, signed after every commit of records, still names the last
AL=$(sql "$TMP/usa" "select max(seq) from audit")
tamper audit3 "delete from audit where seq > $((AL - 3))"
run audit --home "$TMP/audit3" verify
expect_status 1 "a cut-off audit trail"
expect_out_line "the audit trail does NOT verify: the audit trail ends at record $((AL - 3)) but its signed head records record $AL: it was truncated" "cut-off audit trail named"
# rewritten from a record on, every hash recomputed so the chain holds: only the signed heads see it
rewrite() { # rewrite NAME ledger|audit: changes the last entry and recomputes its hash
  copy_usa "$1" || return 1
  local hex="hex" blob="x'%s'"
  on_pg && hex="encode" && blob="decode('%s', 'hex')"
  if [ "$2" = audit ]; then
    row=$(sql "$TMP/$1" "select seq, time, partner, object, action, rule, $([ $hex = hex ] && echo "hex(prev)" || echo "encode(prev, 'hex')") from audit order by seq desc limit 1")
  else
    row=$(sql "$TMP/$1" "select seq, time, kind, party, $([ $hex = hex ] && echo "hex(digest), hex(prev)" || echo "encode(digest, 'hex'), encode(prev, 'hex')") from ledger order by seq desc limit 1")
  fi
  update=$(python3 - "$2" "$row" "$blob" <<'PY'
import hashlib, struct, sys
table, row, blob = sys.argv[1], sys.argv[2].split("|"), sys.argv[3]
def s(b):
    b = b.encode()
    return struct.pack(">I", len(b)) + b
if table == "audit":
    seq, time, partner, obj, action, rule, prev = row
    h = hashlib.blake2b(b"tearline-audit 1" + struct.pack(">qq", int(seq), int(time)) + s(partner) + s(obj)
                        + s(action) + s(rule) + s("rewritten") + bytes.fromhex(prev), digest_size=32).hexdigest()
    print(f"update audit set detail = 'rewritten', hash = {blob % h} where seq = {seq}")
else:
    seq, time, kind, party, digest, prev = row
    h = hashlib.blake2b(b"tearline-ledger 1" + struct.pack(">qq", int(seq), int(time)) + s(kind) + s(party)
                        + s("rewritten") + bytes.fromhex(digest) + bytes.fromhex(prev), digest_size=32).hexdigest()
    print(f"update ledger set summary = 'rewritten', hash = {blob % h} where seq = {seq}; delete from ledger_checkpoints")
PY
)
  sql "$TMP/$1" "$update" >/dev/null
}
rewrite audit4 audit
run audit --home "$TMP/audit4" verify
expect_status 1 "a rewritten audit record"
expect_out_line "the audit trail does NOT verify: record $AL differs from what audit.head recorded" "rewritten audit record named"
LAST=$(sql "$TMP/usa" "select max(seq) from ledger")
rewrite rewritten ledger
verify_says rewritten "entry $LAST differs from what ledger.head recorded"
# a head signed by someone else is refused
cp "$TMP/usa/audit.head" "$TMP/audit.head.keep"
sed -i 's/ [0-9a-f]\{64\} \([0-9a-f]\{128\}\)$/ '"$(key rus)"' \1/' "$TMP/usa/audit.head"
run audit --home "$TMP/usa" verify
expect_status 1 "audit.head under another key"
expect_out_contains "audit.head: its signature does not verify with a key of this node" "foreign audit.head named"
printf 'tearline-audit-head 1 12 nothex\n' > "$TMP/usa/audit.head"
run audit --home "$TMP/usa" verify
expect_status 1 "a malformed audit.head"
expect_out_line "the audit trail does NOT verify: audit.head is malformed" "malformed audit.head named"
cp "$TMP/audit.head.keep" "$TMP/usa/audit.head"
run audit --home "$TMP/usa" verify
expect_status 0 "the audit trail verifies again with its own head"

# kill -9 in the middle of appends: whatever is left verifies
python3 "$TL_SRC/bench/gen_corpus.py" --objects 3000 --seed 9 "$TMP/big.json" 2>/dev/null || exit 1
for i in $(seq 12); do
  ( "$TEARLINE" ingest --home "$TMP/rus" --origin usa "$TMP/big.json" >/dev/null 2>&1 & pid=$!
    "$TEARLINE" ledger --home "$TMP/rus" note "note $i" >/dev/null 2>&1 & pid2=$!
    sleep "0.0$((RANDOM % 9 + 1))"; kill -9 $pid $pid2 2>/dev/null; wait ) 2>/dev/null
done
run ledger --home "$TMP/rus" verify
expect_status 0 "the ledger verifies after kill -9"
finish
