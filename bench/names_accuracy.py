#!/usr/bin/env python3
"""Name-matching accuracy on the UN consolidated list (labelled: same ref = same entity).

usage: bench/names_accuracy.py TEARLINE [--threshold X] [--scan] [--show N]

Pairs are scored by `tearline names link` (blocking included, as in use).
For each script pair (Latin-Latin, Cyrillic-Latin, Arabic-Latin):
  precision  links at or above the threshold that join variants of one ref;
  recall     of the positives: for a cross-script pair, a ref's name in its
             original script and its primary (romanized) name; for
             Latin-Latin, every two variants of one ref (aliases are often
             wholly different names, so this recall is low by nature);
  false links per 1,000 non-matching queries: links from Latin variants
             whose ref has no variant in the other script (every such link
             is false), per 1,000 such variants.
Each pair is reported for all rows, for persons and for organizations:
an organization's original-script name is often a translation (EGYPTIAN
ISLAMIC JIHAD / الجهاد الاسلامي المصري), which no transliteration can match.
False links that score 1.0 join the same name under two refs (three groups
called Ansar al-Sharia, two people called Abd al-Rahman): no name matcher
can tell them apart, and they are counted against precision all the same.
"""
import argparse, collections, csv, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "shared", "data", "names", "un-sanctions-names.tsv")


def load(path):
    rows = list(csv.DictReader(open(path, encoding="utf-8"), delimiter="\t"))
    for i, r in enumerate(rows):
        r["i"] = i
    return rows


def link(tl, a, b, threshold, work):
    pa, pb = os.path.join(work, "a.tsv"), os.path.join(work, "b.tsv")
    for path, rows in ((pa, a), (pb, b)):
        with open(path, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(f"{r['i']}\t{r['name']}\n")
    out = subprocess.run([tl, "names", "link", pa, pb, "--threshold", str(threshold)],
                         check=True, capture_output=True, text=True).stdout
    res = []
    for line in out.splitlines():
        x, y, s = line.split("\t")
        res.append((int(x), int(y), float(s)))
    return res


def metrics(rows, links, latin, other, positives, t, same_script, kind=None):
    ref = {r["i"]: r["ref"] for r in rows}
    kinds = {r["i"]: r["kind"] for r in rows}
    if kind:
        links = [(x, y, s) for x, y, s in links if kinds[x] == kind and kinds[y] == kind]
        positives = [(x, y) for x, y in positives if kinds[x] == kind]
        latin = [r for r in latin if r["kind"] == kind]
    kept = [(x, y) for x, y, s in links if s >= t and (not same_script or x < y)]
    exact = sum(1 for x, y, s in links if s >= 0.9999 and (not same_script or x < y) and ref[x] != ref[y])
    tp = sum(1 for x, y in kept if ref[x] == ref[y])
    prec = tp / len(kept) if kept else 1.0
    linked = set(kept) | set((y, x) for x, y in kept)
    found = sum(1 for p in positives if p in linked)
    rec = found / len(positives) if positives else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    other_refs = set(r["ref"] for r in other)
    nonmatching = [r["i"] for r in latin if r["ref"] not in other_refs]
    nm = set(nonmatching)
    false = sum(1 for x, y in kept if (x in nm and ref[x] != ref[y]) or (y in nm and ref[x] != ref[y]))
    # of those, the ones that are not one name under two refs (which no matcher can tell apart)
    score = {(x, y): s for x, y, s in links}
    false_other = sum(1 for x, y in kept if (x in nm or y in nm) and ref[x] != ref[y] and score[(x, y)] < 0.9999)
    return dict(links=len(kept), precision=prec, recall=rec, f1=f1, positives=len(positives), exact=exact,
                found=found, false_per_1000=1000.0 * false / len(nonmatching) if nonmatching else 0.0,
                false_other_per_1000=1000.0 * false_other / len(nonmatching) if nonmatching else 0.0,
                nonmatching=len(nonmatching))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tearline")
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--threshold", type=float, default=0.88)
    ap.add_argument("--scan", action="store_true", help="also print figures at other thresholds")
    ap.add_argument("--show", type=int, default=0, help="print N misses and N false links per pair")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 unless Cyrillic-Latin and Arabic-Latin (all rows) reach recall and "
                         "precision 0.95, with at most 1 false link per 1,000 non-matching queries "
                         "(one name under two refs aside)")
    a = ap.parse_args()
    rows = load(a.data)
    latin = [r for r in rows if r["script"] == "Latn"]
    work = tempfile.mkdtemp(prefix="tl-names-acc-")
    floor = 0.5 if a.scan else a.threshold
    result = {}
    for label, script in (("Latin-Latin", "Latn"), ("Cyrillic-Latin", "Cyrl"), ("Arabic-Latin", "Arab")):
        other = [r for r in rows if r["script"] == script]
        if script == "Latn":
            by = collections.defaultdict(list)
            for r in latin:
                by[r["ref"]].append(r["i"])
            positives = [(x, y) for v in by.values() for i, x in enumerate(v) for y in v[i + 1:]]
            links = link(a.tearline, latin, latin, floor, work)
        else:
            prim = {r["ref"]: r["i"] for r in latin if r["field"] == "primary"}
            positives = [(prim[r["ref"]], r["i"]) for r in other
                         if r["field"] == "original_script" and r["ref"] in prim]
            links = link(a.tearline, latin, other, floor, work)
        thresholds = [a.threshold] + ([0.80, 0.82, 0.84, 0.86, 0.88, 0.90, 0.92, 0.94] if a.scan else [])
        for t in thresholds:
            for kind in (None, "person", "organization"):
                m = metrics(rows, links, latin, other, positives, t, script == "Latn", kind)
                if t == a.threshold:
                    result[(label, kind)] = m
                name = label + (f" ({kind}s)" if kind else " (all)")
                print(f"{name:30s} t={t:.2f}  links {m['links']:5d}  precision {m['precision']:.4f}  "
                      f"recall {m['recall']:.4f} ({m['found']}/{m['positives']})  F1 {m['f1']:.4f}  "
                      f"false links/1,000 non-matching queries {m['false_per_1000']:.2f} "
                      f"(of {m['nonmatching']}), {m['false_other_per_1000']:.2f} without the same name "
                      f"under another ref; false links scoring 1.0 (same name, other ref) {m['exact']}")
        if a.show:
            byi = {r["i"]: r for r in rows}
            kept = {(x, y): s for x, y, s in links if s >= a.threshold}
            both = set(kept) | set((y, x) for x, y in kept)
            miss = [p for p in positives if p not in both][:a.show]
            for x, y in miss:
                print(f"   miss  {byi[x]['ref']}: {byi[x]['name']}  |  {byi[y]['name']}")
            bad = [(x, y, s) for (x, y), s in kept.items() if byi[x]["ref"] != byi[y]["ref"]
                   and (script != "Latn" or x < y)][:a.show]
            for x, y, s in bad:
                print(f"   false {s:.3f}  {byi[x]['ref']} {byi[x]['name']}  |  {byi[y]['ref']} {byi[y]['name']}")
    if a.check:
        bad = []
        for label in ("Cyrillic-Latin", "Arabic-Latin"):
            m = result[(label, None)]
            if m["recall"] < 0.95 or m["precision"] < 0.95 or m["false_other_per_1000"] > 1.0:
                bad.append(f"{label}: precision {m['precision']:.4f}, recall {m['recall']:.4f}, "
                           f"false links/1,000 {m['false_other_per_1000']:.2f}")
        if bad:
            sys.exit("names_accuracy: below the targets: " + "; ".join(bad))
        print("targets met: recall and precision at least 0.95, at most 1 false link per 1,000 "
              "non-matching queries, for Cyrillic-Latin and Arabic-Latin")
    return result


if __name__ == "__main__":
    main()
