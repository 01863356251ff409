# lib.sh: helpers for integration tests that drive the tearline command.
# Each test script sources this, calls the checks, and ends with `finish`.
set -u
: "${TEARLINE:?TEARLINE must name the tearline binary}"
: "${TL_SHARED:?TL_SHARED must name ../shared}"
TMP=$(mktemp -d /tmp/tl-it-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
PASSED=0
FAILED=0

pass() { PASSED=$((PASSED + 1)); }

# sql HOME QUERY: runs QUERY on the store of the node at HOME (SQLite or
# PostgreSQL, as its node.conf says) and prints the rows, columns joined by |.
sql() {
  local db
  db=$(store_of "$1")
  case "$db" in postgres*://*) psql -qAt "$db" -c "$2" ;; *) sqlite3 "$db" "$2" ;; esac
}
# dump HOME: the whole store of the node at HOME as SQL text
dump() {
  local db
  db=$(store_of "$1")
  case "$db" in postgres*://*) pg_dump "$db" ;; *) sqlite3 "$db" .dump ;; esac
}
# store_of HOME: the node's store as its node.conf says: a PostgreSQL URL, or the SQLite file
store_of() {
  local url
  url=$(awk -F' *= *' '$1 == "store" {print $2}' "$1/node.conf")
  case "$url" in
    postgresql://* | postgres://*) echo "$url" ;;
    sqlite:/*) echo "${url#sqlite:}" ;;
    *) echo "$1/${url#sqlite:}" ;;
  esac
}
# on_pg: true when this run keeps its nodes in PostgreSQL (tests/integration/pg_tearline)
on_pg() { [ -n "${TL_REAL_TEARLINE:-}" ]; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*" >&2; }

# run CMD...: runs tearline, capturing stdout, stderr and the exit status.
run() {
  "$TEARLINE" "$@" >"$TMP/out" 2>"$TMP/err"
  STATUS=$?
  OUT=$(cat "$TMP/out")
  ERR=$(cat "$TMP/err")
}

expect_status() { # expect_status N WHAT
  if [ "$STATUS" -eq "$1" ]; then pass; else fail "$2: exit $STATUS, expected $1; stderr: $ERR"; fi
}

expect_err_line() { # expect_err_line EXACT-LINE WHAT
  if grep -qxF -- "$1" "$TMP/err"; then pass; else fail "$2: stderr lacks line [$1]; got: $ERR"; fi
}

expect_out_line() { # expect_out_line EXACT-LINE WHAT
  if grep -qxF -- "$1" "$TMP/out"; then pass; else fail "$2: stdout lacks line [$1]; got: $OUT"; fi
}

# A helper a test calls that does not exist must fail the test, not pass it
# (bash runs this handler in a subshell: it leaves a mark for finish).
command_not_found_handle() { echo "FAIL: no such command or helper: $1" >&2; echo "$1" >> "$TMP/.notfound"; return 127; }

expect_out_contains() {
  if grep -qF -- "$1" "$TMP/out"; then pass; else fail "$2: stdout lacks [$1]; got: $OUT"; fi
}

expect_eq() { # expect_eq GOT WANT WHAT
  if [ "$1" = "$2" ]; then pass; else fail "$3: got [$1], expected [$2]"; fi
}

# countersign HOME_A HOME_B ID FILE [VERSION]: node A proposes and signs the
# agreement in FILE, node B imports and countersigns it, A imports B's copy.
countersign() {
  local a="$1" b="$2" id="$3" file="$4" v=()
  [ -n "${5:-}" ] && v=(--version "$5")
  "$TEARLINE" agree --home "$a" propose "$file" >/dev/null &&
    "$TEARLINE" agree --home "$a" sign "$id" "${v[@]}" >/dev/null &&
    "$TEARLINE" agree --home "$a" export "$id" "${v[@]}" > "$TMP/countersign.json" &&
    "$TEARLINE" agree --home "$b" import "$TMP/countersign.json" >/dev/null &&
    "$TEARLINE" agree --home "$b" sign "$id" "${v[@]}" >/dev/null &&
    "$TEARLINE" agree --home "$b" export "$id" "${v[@]}" > "$TMP/countersign.json" &&
    "$TEARLINE" agree --home "$a" import "$TMP/countersign.json" >/dev/null
}

# listening_port FILE: waits (up to 5 s) for `tearline serve` to write its
# "listening: SCHEME port N" line to FILE, and prints N ("" if it never did).
listening_port() {
  for _ in $(seq 100); do grep -q "^listening" "$1" && break; sleep 0.05; done
  awk '/^listening/{print $NF}' "$1"
}

# broad_agreement FILE ID CODE_A KEY_A CODE_B KEY_B: an agreement between A and
# B whose scope covers the labels bench/gen_corpus.py writes (TLP up to amber,
# unmarked allowed), for tests that exchange generated holdings.
broad_agreement() {
  python3 - "$@" <<'PY'
import json, sys
f, aid, a, ka, b, kb = sys.argv[1:7]
json.dump({"type": "tearline-agreement", "id": aid, "version": 1, "title": "generated holdings",
           "parties": [{"code": a, "public_key": ka}, {"code": b, "public_key": kb}],
           "valid_from": "2020-01-01T00:00:00Z", "valid_until": "2099-01-01T00:00:00Z",
           "scope": {"labels": ["north-caucasus", "syria", "iraq", "financing", "travel", "returnee", "recruitment"]},
           "rules": {"tlp_max": "amber", "allow_unmarked": True},
           "profile": {"location_precision_km": 25, "time_precision": "day", "lexicon": True,
                       "discipline_classes": {"humint": "human reporting"}}},
          open(f, "w"))
PY
}

# two_nodes AID: nodes usa (at $U, made TEARLINE_HOME) and rus (at $TMP/rus)
# under a countersigned broad agreement AID; exits the test if that fails.
two_nodes() {
  U="$TMP/usa"
  for p in usa rus; do "$TEARLINE" init --home "$TMP/$p" --name $p > "$TMP/$p.txt" || exit 1; done
  broad_agreement "$TMP/a.json" "$1" usa "$(awk '/public key/{print $3}' "$TMP/usa.txt")" \
    rus "$(awk '/public key/{print $3}' "$TMP/rus.txt")"
  export TEARLINE_HOME="$U"
  countersign "$U" "$TMP/rus" "$1" "$TMP/a.json" || { echo "setup failed"; exit 1; }
}

finish() {
  [ -s "$TMP/.notfound" ] && FAILED=$((FAILED + $(wc -l < "$TMP/.notfound")))
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}
