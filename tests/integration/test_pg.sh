#!/usr/bin/env bash
# A node on PostgreSQL: two `tearline serve` processes over one database serve
# one partner. A TAXII paging walk that alternates between the two servers,
# while a release publishes more, serves every published version exactly once;
# two partners pushing at once, one to each server, leave a ledger and an
# audit trail that verify; the partner pulls everything with signatures
# checked. `tearline migrate` moves an SQLite node with its ledger intact.
# On a cluster of its own: the database going away mid-ingest loses nothing
# and gives a clear error, and a running server recovers when it returns.
. "$(dirname "$0")/lib.sh"
: "${TL_PG_URL_FILE:?TL_PG_URL_FILE must name the URL file of the pg fixture}"
ADMIN=$(cat "$TL_PG_URL_FILE") || { echo "no PostgreSQL cluster"; exit 1; }
SERVERS=()
OWN=""
trap 'kill ${SERVERS[*]} 2>/dev/null; [ -n "$OWN" ] && "$TL_SRC/scripts/pg-cluster" stop "$OWN"; rm -rf "$TMP"' EXIT

# newdb ADMIN_URL NAME: creates database NAME and prints its URL
newdb() {
  psql -qAt "$1" -c "CREATE DATABASE $2" >/dev/null || return 1
  echo "${1%/*}/$2"
}
db() { newdb "$ADMIN" "tl_it_$$_$1" || exit 1; }
cleanup_dbs() {
  for d in $(psql -qAt "$ADMIN" -c "select datname from pg_database where datname like 'tl_it_$$_%'"); do
    psql -qAt "$ADMIN" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1
  done
}
q() { psql -qAt "$USA_DB" -c "$1"; } # a query on usa's database

USA_DB=$(db usa)
run init --home "$TMP/usa" --name usa --store "$USA_DB"
expect_status 0 "init on PostgreSQL"
echo "$OUT" > "$TMP/usa.txt"
grep -qxF "store = $USA_DB" "$TMP/usa/node.conf" && pass || fail "node.conf names the database"
run init --home "$TMP/usa2" --name usb --store "$USA_DB"
expect_status 2 "a second node on the same database"
expect_err_line "tearline init: the store already holds a node (identity $(awk '/^identity/{print $2}' "$TMP/usa.txt")): one store per node" "one store per node"
[ -e "$TMP/usa2/node.conf" ] && fail "a refused init left a node.conf" || pass
for p in rus gbr; do "$TEARLINE" init --home "$TMP/$p" --name $p > "$TMP/$p.txt" || exit 1; done
key() { awk '/public key/{print $3}' "$TMP/$1.txt"; }
for p in rus gbr; do
  id=agreement--6c0f3a9e-2b1d-4c8e-9f7a-1e2d3c4b5a6$([ $p = rus ] && echo 9 || echo 8)
  broad_agreement "$TMP/$p-a.json" $id usa "$(key usa)" $p "$(key $p)"
  countersign "$TMP/usa" "$TMP/$p" $id "$TMP/$p-a.json" || { echo "setup failed"; exit 1; }
done
python3 "$TL_SRC/bench/gen_corpus.py" --objects 800 --seed 3 "$TMP/corpus.json" 2>/dev/null || exit 1
run ingest --home "$TMP/usa" "$TMP/corpus.json"
expect_status 0 "ingest into PostgreSQL"
expect_eq "$(q "select count(*) from objects where origin = ''")" "801" "800 holdings and the node's identity"
run release --home "$TMP/usa" --to rus
expect_status 0 "release from PostgreSQL"
N=$(q "select count(*) from outbox where partner = 'rus'")
[ "$N" -gt 100 ] && pass || fail "too little released to page: $N"
"$TEARLINE" partner --home "$TMP/usa" add rus >/dev/null || exit 1
"$TEARLINE" partner --home "$TMP/usa" add gbr >/dev/null || exit 1
SECRET=$("$TEARLINE" partner --home "$TMP/usa" grant rus | awk '/HTTP Basic/{print $NF}')
GSECRET=$("$TEARLINE" partner --home "$TMP/usa" grant gbr | awk '/HTTP Basic/{print $NF}')

# two servers, one database
for s in a b; do
  "$TEARLINE" serve --home "$TMP/usa" --listen 127.0.0.1:0 > "$TMP/serve-$s.out" 2>&1 &
  SERVERS+=($!)
done
PA=$(listening_port "$TMP/serve-a.out")
PB=$(listening_port "$TMP/serve-b.out")
[ -n "$PA" ] && [ -n "$PB" ] && pass || { fail "servers did not start: $(cat "$TMP"/serve-*.out)"; finish; exit 1; }

# page through usa's outbox for rus, 25 at a time, alternating servers; halfway,
# usa changes 40 holdings and releases again (new versions published meanwhile)
python3 "$TL_SRC/bench/gen_corpus.py" --objects 800 --seed 3 "$TMP/changed.json" 2>/dev/null
python3 - "$TMP/changed.json" <<'PY'
import datetime, json, sys
b = json.load(open(sys.argv[1]))
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
n = 0
for o in b["objects"]:
    if n < 40 and "modified" in o and o.get("type") != "identity" and "description" in o:
        o["modified"] = now
        o["description"] += " (revised)"
        n += 1
json.dump(b, open(sys.argv[1], "w"))
PY
python3 - "$PA" "$PB" "$SECRET" "$TMP/served.txt" "$TEARLINE" "$TMP" <<'PY' && pass || fail "paging across two servers"
import base64, http.client, json, subprocess, sys, urllib.parse
pa, pb, secret, out, tl, tmp = sys.argv[1:7]
auth = "Basic " + base64.b64encode(f"rus:{secret}".encode()).decode()
def get(port, path):
    c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
    c.request("GET", path, headers={"Authorization": auth, "Accept": "application/taxii+json;version=2.1"})
    r = c.getresponse()
    d = r.read()
    c.close()
    if r.status != 200:
        sys.exit(f"GET {path} on {port}: {r.status} {d[:200]}")
    return json.loads(d)
root = get(pa, "/taxii2/")["default"]
cols = get(pa, root + "collections/")["collections"]
out_col = [c for c in cols if c.get("can_read") and "outbox" in (c.get("title", "") + c.get("description", "")).lower()]
col = (out_col or [c for c in cols if c.get("can_read")])[0]["id"]
base = f"{root}collections/{col}/objects/"
served, nxt, page, changed = [], None, 0, False
while True:
    params = {"limit": 25, "match[version]": "all"}
    if nxt:
        params["next"] = nxt
    d = get(pa if page % 2 == 0 else pb, base + "?" + urllib.parse.urlencode(params, safe="[]"))
    served += [(o["id"], o.get("modified", o.get("created", ""))) for o in d.get("objects", [])]
    page += 1
    if page == 4 and not changed:
        subprocess.run([tl, "ingest", "--home", f"{tmp}/usa", f"{tmp}/changed.json"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([tl, "release", "--home", f"{tmp}/usa", "--to", "rus"], check=True, stdout=subprocess.DEVNULL)
        changed = True
    if not d.get("more"):
        break
    nxt = d["next"]
open(out, "w").write("".join(f"{i} {v}\n" for i, v in served))
print(f"{len(served)} versions served in {page} pages from two servers")
PY
SERVED=$(wc -l < "$TMP/served.txt")
expect_eq "$(sort "$TMP/served.txt" | uniq -d | wc -l)" "0" "no version served twice"
expect_eq "$SERVED" "$(q "select count(*) from outbox where partner = 'rus'")" "every published version served (none skipped)"
[ "$(q "select count(*) from outbox where partner = 'rus'")" -gt "$N" ] && pass || fail "the second release published nothing"
expect_eq "$(q "select count(*) from (select added from outbox group by added having count(*) > 1) x")" "0" "date_added unique"

# two releases at once from two processes (to rus and to gbr): one after the other in the database
"$TEARLINE" protect --home "$TMP/usa" add convoy >/dev/null
LEDGER0=$(q "select count(*) from ledger where kind = 'release'")
"$TEARLINE" release --home "$TMP/usa" --to rus > "$TMP/rel-rus.out" 2>&1 &
R1=$!
"$TEARLINE" release --home "$TMP/usa" --to gbr > "$TMP/rel-gbr.out" 2>&1 &
R2=$!
wait $R1 && pass || fail "release to rus beside another: $(cat "$TMP/rel-rus.out")"
wait $R2 && pass || fail "release to gbr beside another: $(cat "$TMP/rel-gbr.out")"
expect_eq "$(q "select count(*) from ledger where kind = 'release'")" "$((LEDGER0 + 2))" "both releases in the ledger"
expect_eq "$(q "select count(*) from (select partner, id, version from outbox group by 1, 2, 3 having count(*) > 1) x")" "0" "no version published twice"

# two partners push at once, each to another server: both servers append to one ledger
for p in rus gbr; do
  port=$([ $p = rus ] && echo "$PA" || echo "$PB")
  sec=$([ $p = rus ] && echo "$SECRET" || echo "$GSECRET")
  python3 "$TL_SRC/bench/gen_corpus.py" --objects 300 --seed $([ $p = rus ] && echo 5 || echo 6) "$TMP/$p-corpus.json" 2>/dev/null
  "$TEARLINE" ingest --home "$TMP/$p" "$TMP/$p-corpus.json" >/dev/null || exit 1
  "$TEARLINE" partner --home "$TMP/$p" add usa --url "http://127.0.0.1:$port/api/" --credential "$p:$sec" >/dev/null || exit 1
done
"$TEARLINE" push --home "$TMP/rus" --to usa --page 10 > "$TMP/push-rus.out" 2>&1 &
P1=$!
"$TEARLINE" push --home "$TMP/gbr" --to usa --page 10 > "$TMP/push-gbr.out" 2>&1 &
P2=$!
wait $P1 && pass || fail "rus's push: $(cat "$TMP/push-rus.out")"
wait $P2 && pass || fail "gbr's push: $(cat "$TMP/push-gbr.out")"
for p in rus gbr; do
  [ "$(q "select count(*) from ledger where kind = 'received' and party = '$p'")" -gt 0 ] && pass ||
    fail "no ledger entry for what $p pushed: $(q "select kind, party, count(*) from ledger group by 1, 2")"
done
run ledger --home "$TMP/usa" verify
expect_status 0 "the ledger both servers appended to verifies"
run audit --home "$TMP/usa" verify
expect_status 0 "the audit trail both servers appended to verifies"
expect_eq "$(q "select count(*) from (select seq from ledger order by seq) s")" "$(q "select max(seq) from ledger")" "ledger seqs without gaps"

# rus pulls all of it through one server, signatures checked
"$TEARLINE" partner --home "$TMP/rus" add usa --url "http://127.0.0.1:$PB/api/" >/dev/null
run pull --home "$TMP/rus" --from usa --page 50
expect_status 0 "rus pulls from a server over PostgreSQL"
expect_eq "$(sqlite3 "$TMP/rus/store.db" "select count(distinct id) from objects where origin = 'usa' and type not in ('x-tearline-receipt', 'x-tearline-witness')")" \
  "$(q "select count(distinct id) from outbox where partner = 'rus'")" "rus holds every object usa released to it"
kill "${SERVERS[@]}" 2>/dev/null
wait 2>/dev/null
SERVERS=()

# migrate: gbr (SQLite, with a ledger of its push) moves to PostgreSQL
GBR_DB=$(db gbr)
before=$("$TEARLINE" stats --home "$TMP/gbr")
run migrate --home "$TMP/gbr" --to "$GBR_DB"
expect_status 0 "migrate"
expect_out_contains "ledger verified: " "migrate verifies the ledger on the new store"
grep -qxF "store = $GBR_DB" "$TMP/gbr/node.conf" && pass || fail "node.conf points to the new store"
expect_eq "$("$TEARLINE" stats --home "$TMP/gbr")" "$before" "the same holdings after migrate"
for t in objects outbox ledger audit ledger_checkpoints; do
  expect_eq "$(psql -qAt "$GBR_DB" -c "select count(*) from $t")" "$(sqlite3 "$TMP/gbr/store.db" "select count(*) from $t")" "$t rows migrated"
done
expect_eq "$(psql -qAt "$GBR_DB" -c "select f || ' ' || seq from facets, unnest(list) f" | LC_ALL=C sort)" \
  "$(sqlite3 "$TMP/gbr/store.db" "select kind || ':' || value || ' ' || seq from facets" | LC_ALL=C sort)" "facets migrated (a row a version)"
expect_eq "$(psql -qAt "$GBR_DB" -c "select encode(hash, 'hex') from ledger order by seq desc limit 1")" \
  "$(sqlite3 "$TMP/gbr/store.db" "select hex(hash) from ledger order by seq desc limit 1" | tr A-F a-f)" "ledger head unchanged"
run ledger --home "$TMP/gbr" verify
expect_status 0 "the ledger verifies on the new store"
run release --home "$TMP/gbr" --to usa
expect_status 0 "gbr releases from its new store"
run migrate --from "sqlite:$TMP/gbr/store.db" --to "$GBR_DB"
expect_status 2 "migrate into a database that is not empty"
grep -q "is not empty: a node moves into an empty database; nothing was written" "$TMP/err" && pass || fail "not-empty message: $ERR"

# a cluster of its own, to take away and give back
OWN="$TMP/pg-own"
"$TL_SRC/scripts/pg-cluster" start "$OWN" >/dev/null || { fail "second cluster"; finish; exit 1; }
FRA_DB=$(newdb "$(cat "$OWN/pg.url")" fra)
"$TEARLINE" init --home "$TMP/fra" --name fra --store "$FRA_DB" >/dev/null || exit 1
"$TEARLINE" partner --home "$TMP/fra" add rus >/dev/null || exit 1
FSECRET=$("$TEARLINE" partner --home "$TMP/fra" grant rus | awk '/HTTP Basic/{print $NF}')
python3 "$TL_SRC/bench/gen_corpus.py" --objects 20000 --seed 9 "$TMP/big.json" 2>/dev/null
before=$(psql -qAt "$FRA_DB" -c "select count(*) from objects")
"$TEARLINE" ingest --home "$TMP/fra" "$TMP/big.json" > "$TMP/ingest.out" 2> "$TMP/ingest.err" &
ING=$!
sleep 0.5
"$TL_SRC/scripts/pg-cluster" pause "$OWN"
wait $ING
ING_RC=$?
echo "ingest during the outage: exit $ING_RC"
"$TL_SRC/scripts/pg-cluster" resume "$OWN"
after=$(psql -qAt "$FRA_DB" -c "select count(*) from objects")
if [ $ING_RC -ne 0 ]; then
  expect_eq "$after" "$before" "an ingest cut off by the database loses nothing and keeps nothing half-done"
  grep -q "unreachable\|terminat\|connection" "$TMP/ingest.err" && pass || fail "ingest error: $(cat "$TMP/ingest.err")"
else
  expect_eq "$after" "$((before + 20000))" "the ingest finished before the database went away"
fi
# a running server: errors while the database is away, answers again when it returns
"$TEARLINE" serve --home "$TMP/fra" --listen 127.0.0.1:0 > "$TMP/serve-f.out" 2>&1 &
SERVERS+=($!)
PF=$(listening_port "$TMP/serve-f.out")
curl -s -u "rus:$FSECRET" -H 'Accept: application/taxii+json;version=2.1' "http://127.0.0.1:$PF/api/collections/" > "$TMP/cols.json"
FOUT=$(python3 -c 'import json,sys; print([c["id"] for c in json.load(open(sys.argv[1]))["collections"] if c.get("alias") == "outbox"][0])' "$TMP/cols.json")
code() { curl -s -o "$TMP/body" -w '%{http_code}' -u "rus:$FSECRET" -H 'Accept: application/taxii+json;version=2.1' "http://127.0.0.1:$PF/api/collections/$FOUT/objects/"; }
UP=$(code)
"$TL_SRC/scripts/pg-cluster" pause "$OWN"
DOWN=$(code)
[ "${DOWN:0:1}" = 5 ] && pass || fail "a request while the database is away: HTTP $DOWN $(cat "$TMP/body")"
run stats --home "$TMP/fra"
expect_status 1 "stats without the database"
grep -q "cannot connect" "$TMP/err" && pass || fail "unreachable message: $ERR"
"$TL_SRC/scripts/pg-cluster" resume "$OWN"
run stats --home "$TMP/fra"
expect_status 0 "stats when the database is back"
kill -0 "${SERVERS[0]}" 2>/dev/null && pass || fail "the server survived the outage"
# every worker's connection died with the database: each is made anew on its next use
# (requests 16 at a time, so that every worker, and its connection, takes some)
codes=$(seq 64 | xargs -P 16 -I{} curl -s -o /dev/null -w '%{http_code}\n' -u "rus:$FSECRET" \
  -H 'Accept: application/taxii+json;version=2.1' "http://127.0.0.1:$PF/api/collections/$FOUT/objects/" |
  sort | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')
expect_eq "$codes" "${UP}x64 " "the server answers as before once the database is back, on every worker"
[ "${UP:0:1}" = 2 ] && pass || fail "collections with the database up: HTTP $UP $(cat "$TMP/body")"
run ingest --home "$TMP/fra" "$TMP/corpus.json"
expect_status 0 "ingest when the database is back"
cleanup_dbs
finish
