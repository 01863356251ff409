#!/usr/bin/env bash
# HTTPS: the server with a certificate and key (TLS 1.2 or later), a partner
# pulling with that certificate pinned as its CA; without it the pull is
# refused, and TLS 1.1 is refused by the server.
. "$(dirname "$0")/lib.sh"
for p in usa rus; do "$TEARLINE" init --home "$TMP/$p" --name $p > "$TMP/$p.txt" || exit 1; done
key() { awk '/public key/{print $3}' "$TMP/$1.txt"; }
broad_agreement "$TMP/a.json" agreement--6c0f3a9e-2b1d-4c8e-9f7a-1e2d3c4b5a69 usa "$(key usa)" rus "$(key rus)"
countersign "$TMP/usa" "$TMP/rus" agreement--6c0f3a9e-2b1d-4c8e-9f7a-1e2d3c4b5a69 "$TMP/a.json" || { echo "setup failed"; exit 1; }
python3 "$TL_SRC/bench/gen_corpus.py" --objects 300 "$TMP/corpus.json" 2>/dev/null || exit 1
"$TEARLINE" ingest --home "$TMP/usa" "$TMP/corpus.json" >/dev/null || exit 1
"$TEARLINE" release --home "$TMP/usa" --to rus >/dev/null || exit 1
"$TEARLINE" partner --home "$TMP/usa" add rus >/dev/null || exit 1
SECRET=$("$TEARLINE" partner --home "$TMP/usa" grant rus | awk '/HTTP Basic/{print $NF}')
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=usa" \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null || exit 1

"$TEARLINE" serve --home "$TMP/usa" --listen 127.0.0.1:0 --cert "$TMP/cert.pem" --key "$TMP/key.pem" \
  > "$TMP/serve.out" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$TMP"' EXIT
PORT=$(listening_port "$TMP/serve.out")
expect_eq "$(awk '/^listening/{print $2}' "$TMP/serve.out")" "https" "serving HTTPS"

# without the certificate pinned, the system's CAs do not vouch for it
"$TEARLINE" partner --home "$TMP/rus" add usa --url "https://127.0.0.1:$PORT/api/" --credential "rus:$SECRET" >/dev/null
run pull --home "$TMP/rus" --from usa
expect_status 1 "an unknown certificate"
grep -qi "certificate" "$TMP/err" && pass || fail "certificate message: $ERR"
# pinned: the pull goes through
"$TEARLINE" partner --home "$TMP/rus" add usa --ca "$TMP/cert.pem" >/dev/null
run pull --home "$TMP/rus" --from usa
expect_status 0 "pull over HTTPS"
N=$(sql "$TMP/usa" "select count(distinct id) from outbox where partner = 'rus'")
expect_out_contains "pulled from usa: $N objects" "every object over HTTPS"
# T25: TLS 1.2 is accepted, TLS 1.1 is not, and TLS 1.3 early data (0-RTT) never is
echo | openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 >/dev/null 2>&1 && pass || fail "T25 TLS 1.2 refused"
echo | openssl s_client -connect "127.0.0.1:$PORT" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' >/dev/null 2>&1 && fail "T25 TLS 1.1 accepted" || pass
printf 'GET /taxii2/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' > "$TMP/early.txt"
(sleep 1; echo) | openssl s_client -connect "127.0.0.1:$PORT" -tls1_3 -sess_out "$TMP/sess.pem" > "$TMP/tls13.txt" 2>&1
grep -q "TLSv1.3" "$TMP/tls13.txt" && pass || fail "T25 no TLS 1.3 session to resume"
if [ -s "$TMP/sess.pem" ]; then
  openssl s_client -connect "127.0.0.1:$PORT" -tls1_3 -sess_in "$TMP/sess.pem" -early_data "$TMP/early.txt" \
    < /dev/null > "$TMP/zero-rtt.txt" 2>&1
  grep -q "Early data was accepted" "$TMP/zero-rtt.txt" && fail "T25 0-RTT early data accepted" || pass
fi
run partner --home "$TMP/rus" add usa --ca "$TMP/missing.pem"
expect_status 2 "a CA file that cannot be read"
finish
