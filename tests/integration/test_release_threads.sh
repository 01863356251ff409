#!/usr/bin/env bash
# The release compiler's workers: a generated store of 1,500 holdings released
# with one thread and with several gives the same objects, in the same order,
# with the same decisions; and what is published is what the dry run showed.
. "$(dirname "$0")/lib.sh"
U="$TMP/usa"
for p in usa rus; do "$TEARLINE" init --home "$TMP/$p" --name $p > "$TMP/$p.txt" || exit 1; done
key() { awk '/public key/{print $3}' "$TMP/$1.txt"; }
ID=agreement--6c0f3a9e-2b1d-4c8e-9f7a-1e2d3c4b5a69
broad_agreement "$TMP/a.json" agreement--6c0f3a9e-2b1d-4c8e-9f7a-1e2d3c4b5a69 usa "$(key usa)" rus "$(key rus)"
countersign "$U" "$TMP/rus" "$ID" "$TMP/a.json" || { echo "setup failed"; exit 1; }
python3 "$TL_SRC/bench/gen_corpus.py" --objects 1500 "$TMP/corpus.json" 2>/dev/null || exit 1
export TEARLINE_HOME="$U"
"$TEARLINE" ingest "$TMP/corpus.json" >/dev/null || exit 1
for t in convoy checkpoint Idlib; do "$TEARLINE" protect add "$t" >/dev/null; done

objects() { python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))["objects"], sort_keys=True, indent=1))' "$1"; }
TEARLINE_THREADS=1 run release --to rus --dry-run --json
expect_status 0 "one thread"
objects "$TMP/out" > "$TMP/one.txt"
cp "$TMP/err" "$TMP/one.err"
TEARLINE_THREADS=3 run release --to rus --dry-run --json
expect_status 0 "three threads"
objects "$TMP/out" > "$TMP/three.txt"
if cmp -s "$TMP/one.txt" "$TMP/three.txt"; then pass; else fail "objects differ with three threads"; fi
if cmp -s "$TMP/one.err" "$TMP/err"; then pass; else fail "decisions differ with three threads"; fi
# enough went through the workers to matter: hundreds released, terms redacted, pseudonyms
python3 - "$TMP/out" "$TMP/err" <<'PY' && pass || fail "the release is too small to test the workers"
import json, sys
out = json.load(open(sys.argv[1]))["objects"]
err = open(sys.argv[2]).read()
assert len(out) > 200, len(out)
assert '"rule":"redacted"' in err
assert sum(1 for o in out if o.get("name", "").startswith("Source ")) > 3
PY

# publishing with three threads puts exactly the dry run's objects in the outbox
TEARLINE_THREADS=3 run release --to rus
expect_status 0 "publish"
sql "$U" "SELECT json FROM outbox ORDER BY seq" > "$TMP/outbox.jsonl"
python3 - "$TMP/outbox.jsonl" "$TMP/one.txt" <<'PY' && pass || fail "outbox differs from the dry run"
import json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
want = json.loads(open(sys.argv[2]).read())
key = lambda o: o["id"]
assert sorted(got, key=key) == sorted(want, key=key), (len(got), len(want))
PY
finish
