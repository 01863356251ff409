#!/usr/bin/env bash
# The TAXII 2.1 server on loopback: a node releases a generated store to rus
# (twice, so some objects have two versions), grants rus and gbr secrets, and
# serves; taxii_conformance.py then checks the MUSTs of ../shared/STANDARDS.md
# section 1.2 one by one, the exchanges the reference client relies on
# (section 1.3), and that partners cannot see each other's collections.
. "$(dirname "$0")/lib.sh"
U="$TMP/usa"
for p in usa rus; do "$TEARLINE" init --home "$TMP/$p" --name $p > "$TMP/$p.txt" || exit 1; done
key() { awk '/public key/{print $3}' "$TMP/$1.txt"; }
ID=agreement--6c0f3a9e-2b1d-4c8e-9f7a-1e2d3c4b5a69
broad_agreement "$TMP/a.json" agreement--6c0f3a9e-2b1d-4c8e-9f7a-1e2d3c4b5a69 usa "$(key usa)" rus "$(key rus)"
countersign "$U" "$TMP/rus" "$ID" "$TMP/a.json" || { echo "setup failed"; exit 1; }
python3 "$TL_SRC/bench/gen_corpus.py" --objects 800 "$TMP/corpus.json" 2>/dev/null || exit 1
export TEARLINE_HOME="$U"
"$TEARLINE" ingest "$TMP/corpus.json" >/dev/null || exit 1
"$TEARLINE" release --to rus >/dev/null || { echo "release failed"; exit 1; }
# a new protected term changes some copies: they are published again as new versions
"$TEARLINE" protect add convoy >/dev/null
"$TEARLINE" release --to rus >/dev/null || { echo "second release failed"; exit 1; }
# rus releases to usa: what rus will push to usa's inbox, signed by rus
python3 "$TL_SRC/bench/gen_corpus.py" --objects 300 --seed 3 "$TMP/rus-corpus.json" 2>/dev/null || exit 1
"$TEARLINE" ingest --home "$TMP/rus" "$TMP/rus-corpus.json" >/dev/null || exit 1
"$TEARLINE" release --home "$TMP/rus" --to usa --dry-run > "$TMP/rus-release.json" 2>/dev/null || exit 1
"$TEARLINE" partner add rus >/dev/null && "$TEARLINE" partner add gbr >/dev/null || exit 1
RUS=$("$TEARLINE" partner grant rus | awk '/HTTP Basic/{print $NF}')
GBR=$("$TEARLINE" partner grant gbr | awk '/HTTP Basic/{print $NF}')

"$TEARLINE" serve --listen 127.0.0.1:0 --threads 2 --max-body 2000000 --access-log "$TMP/access.log" \
  > "$TMP/serve.out" 2> "$TMP/serve.err" &
SERVER=$!
PORT=$(listening_port "$TMP/serve.out")
[ -n "$PORT" ] && pass || { fail "the server did not start: $(cat "$TMP/serve.err")"; kill $SERVER; finish; exit 1; }

python3 "$TL_SRC/tests/integration/taxii_conformance.py" "http://127.0.0.1:$PORT" rus "$RUS" gbr "$GBR" \
  "$U" "$TMP/rus-release.json" && pass || fail "TAXII conformance (see above)"

# an access log line per request, naming the partner
grep -q " rus GET /api/collections/ 200 " "$TMP/access.log" && pass || fail "access log: $(head -3 "$TMP/access.log")"
grep -q " - GET /api/ 401 " "$TMP/access.log" && pass || fail "access log of a refused request"
# SIGTERM: the server stops and exits 0
kill -TERM $SERVER
wait $SERVER
expect_eq "$?" "0" "exit status after SIGTERM"
# plain HTTP only on loopback
run serve --listen 0.0.0.0:0
expect_status 2 "plain HTTP on every address"
expect_err_line "tearline serve: plain HTTP is allowed only on a loopback address; give --cert and --key for 0.0.0.0:0" "loopback message"
finish
