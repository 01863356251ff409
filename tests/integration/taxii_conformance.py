#!/usr/bin/env python3
"""TAXII 2.1 conformance checks against a running tearline server.

usage: taxii_conformance.py BASE_URL CODE SECRET OTHER_CODE OTHER_SECRET NODE_HOME PUSH.json

CODE's outbox must hold released objects (some with several versions);
OTHER_CODE is a second partner with nothing released to it. PUSH.json is a
bundle CODE's own node released to this one (signed by CODE), for POSTs. Each check is
named by its requirement in ../shared/STANDARDS.md (T1-T27, section 1.2) or
by the reference client's exchange (section 1.3). Prints every failure and
exits 1 if there was any.
"""
import base64
import http.client
import json
import re
import sqlite3
import subprocess
import sys
import urllib.parse
import uuid

BASE, CODE, SECRET, OTHER, OTHER_SECRET, HOME, PUSH = sys.argv[1:8]


def sql(query):
    """Rows of query on the node's store (SQLite or PostgreSQL, as its node.conf says)."""
    url = "sqlite:store.db"
    for line in open(f"{HOME}/node.conf"):
        k, _, v = line.partition("=")
        if k.strip() == "store":
            url = v.strip()
    if url.startswith(("postgresql://", "postgres://")):
        out = subprocess.run(["psql", "-qAt", url, "-c", query], check=True, capture_output=True, text=True).stdout
        return [tuple(int(x) if x.lstrip("-").isdigit() else x for x in l.split("|")) for l in out.splitlines()]
    path = url[7:] if url[7:].startswith("/") else f"{HOME}/{url[7:]}"
    return sqlite3.connect(path).execute(query).fetchall()
MEDIA = "application/taxii+json;version=2.1"
STIX_MEDIA = "application/stix+json;version=2.1"
TS6 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
failures = []
checks = 0


def check(name, ok, detail=""):
    global checks
    checks += 1
    if not ok:
        failures.append(f"{name}: {detail}")


def basic(code, secret):
    return "Basic " + base64.b64encode(f"{code}:{secret}".encode()).decode()


AUTH = basic(CODE, SECRET)


def req(method, path, auth=AUTH, accept=MEDIA, body=None, headers=None):
    u = urllib.parse.urlsplit(BASE)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    h = {}
    if auth:
        h["Authorization"] = auth
    if accept:
        h["Accept"] = accept
    h.update(headers or {})
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    doc = None
    if data:
        try:
            doc = json.loads(data)
        except ValueError:
            doc = None
    return r.status, {k.lower(): v for k, v in r.getheaders()}, doc


def get(path, **kw):
    return req("GET", path, **kw)


def q(path, **params):
    return path + "?" + urllib.parse.urlencode(params, safe="[],:")


# ---- discovery, API root, collections ----
st, h, d = get("/taxii2/")
check("T13 discovery", st == 200 and d.get("title") and d.get("default") in d.get("api_roots", []),
      f"{st} {d}")
check("T13 api root path", all(r.startswith("/") and not r.startswith("//") and "?" not in r
                               for r in d.get("api_roots", [])), d)
root = d["default"]
st, h, d = get(root)
check("T14 api root", st == 200 and MEDIA in d.get("versions", []) and d.get("max_content_length", 0) > 0,
      f"{st} {d}")
st, h, d = get(root + "collections/")
cols = {c["alias"]: c for c in d.get("collections", [])}
check("T16 collections", st == 200 and set(cols) == {"outbox", "inbox", "witness"}, d)
for c in cols.values():
    check("T16 collection id is a UUIDv4", uuid.UUID(c["id"]).version == 4, c["id"])
    check("T16 collection properties", c.get("title") and isinstance(c.get("can_read"), bool)
          and isinstance(c.get("can_write"), bool) and STIX_MEDIA in c.get("media_types", []), c)
check("T16 outbox and witness read-only, inbox write-only",
      cols["outbox"]["can_read"] and not cols["outbox"]["can_write"]
      and cols["witness"]["can_read"] and not cols["witness"]["can_write"]
      and cols["inbox"]["can_write"] and not cols["inbox"]["can_read"], cols)
st2, _, d2 = get(root + "collections/")
check("T8 collections in the same order", d2 == d)
OUT = f"{root}collections/{cols['outbox']['id']}/"
IN = f"{root}collections/{cols['inbox']['id']}/"
WIT = f"{root}collections/{cols['witness']['id']}/"

# ---- the witness collection: one signed account of the server's ledger for the caller ----
st, h, d = get(WIT + "objects/")
wobjs = (d or {}).get("objects", [])
check("witness: one object", st == 200 and len(wobjs) == 1, f"{st} {d}")
w = wobjs[0] if wobjs else {}
check("witness: for the caller, signed", w.get("type") == "x-tearline-witness" and w.get("x_for") == CODE
      and "extension-definition--73efad38-24f0-4877-a91e-1eb1b95bf70c" in w.get("extensions", {}), w)
check("witness: T13 date headers", TS6.match(h.get("x-taxii-date-added-first", ""))
      and h.get("x-taxii-date-added-first") == h.get("x-taxii-date-added-last"), h)
st, h, d = get(WIT + "objects/")
check("witness: the same while the ledger stands still", (d or {}).get("objects") == wobjs, d)
st, h, d = get(WIT + "manifest/")
check("witness: manifest", st == 200 and [m.get("id") for m in d.get("objects", [])] == [w.get("id")], d)
st, h, d = get(WIT + f"objects/{w.get('id')}/")
check("witness: by id", st == 200 and d.get("objects") == wobjs, f"{st} {d}")
st, h, d = get(WIT + f"objects/{w.get('id')}/versions/")
check("witness: versions", st == 200 and len(d.get("versions", [])) == 1, f"{st} {d}")
st, h, d = get(WIT + "objects/x-tearline-witness--00000000-0000-4000-8000-000000000000/")
check("witness: another id is 404", st == 404, st)
st, h, d = get(q(WIT + "objects/", **{"match[type]": "indicator"}))
check("witness: match[type] filters it out", st == 200 and "objects" not in d, d)
st, h, d = get(q(WIT + "objects/", added_after="2999-01-01T00:00:00.000000Z"))
check("witness: added_after filters it out", st == 200 and "objects" not in d, d)
st, h, d = req("POST", WIT + "objects/", body=json.dumps({"objects": []}),
               headers={"Content-Type": MEDIA})
check("T18 the witness collection is read-only", st == 403, st)
st, h, d = get(OUT)
check("CLIENT Collection.refresh", st == 200 and d.get("id") == cols["outbox"]["id"], f"{st} {d}")

# ---- the whole outbox, for reference ----
rows = sql(f"SELECT id, version, added FROM outbox WHERE partner = '{CODE}' ORDER BY added")
latest = {}
for i, v, a in rows:
    latest[i] = max(latest.get(i, ""), v)
n_objects = len(latest)
multi = [i for i in latest if sum(1 for r in rows if r[0] == i) > 1]
check("setup: the outbox has objects with several versions", n_objects > 50 and multi,
      f"{n_objects} objects, {len(multi)} with versions")


def all_pages(path, limit, key="objects", **params):
    seen, nxt, pages = [], None, 0
    while True:
        p = dict(params, limit=limit)
        if nxt:
            p["next"] = nxt
        st, h, d = get(q(path, **p))
        if st != 200:
            return None, f"{st} {d}"
        items = d.get(key, [])
        check("T7 never more than limit", len(items) <= limit, len(items))
        seen += items
        pages += 1
        if not d.get("more"):
            check("CLIENT no next without more... (next only with more)", "next" not in d or d.get("more"), d)
            return seen, pages
        check("CLIENT whenever more is true, next is present", d.get("next"), d)
        if not d.get("next") or pages > 10000:
            return None, "no next"
        nxt = d["next"]


# ---- objects: paging, order, filters ----
objs, pages = all_pages(OUT + "objects/", 17)
check("T7 paging returns everything exactly once", objs is not None and len(objs) == n_objects
      and len({o["id"] for o in objs}) == n_objects, f"{objs and len(objs)} of {n_objects}, {pages}")
manifest, _ = all_pages(OUT + "manifest/", 13)
dates = [m["date_added"] for m in manifest or []]
check("T6/T8 oldest first, by date_added", dates == sorted(dates) and len(set(dates)) == len(dates))
check("T10 date_added has six fractional digits", all(TS6.match(x) for x in dates), dates[:3])
for m in (manifest or [])[:5]:
    check("T21 manifest record", m.get("id") and m.get("date_added") and m.get("version")
          and m.get("media_type") == STIX_MEDIA, m)
check("T5 default is the latest version of each", sorted(m["id"] for m in manifest or []) == sorted(latest))

st, h, d = get(q(OUT + "objects/", limit=5))
check("T12 envelope", st == 200 and set(d) <= {"more", "next", "objects"}
      and all(isinstance(o, dict) and o.get("type") and o.get("id") for o in d["objects"]), d)
check("T9 X-TAXII-Date-Added-First/Last on objects",
      TS6.match(h.get("x-taxii-date-added-first", "")) and TS6.match(h.get("x-taxii-date-added-last", "")), h)
check("T10 header timestamps", h.get("x-taxii-date-added-first") <= h.get("x-taxii-date-added-last", ""))
st, h, d = get(q(OUT + "manifest/", limit=5))
check("T9 X-TAXII headers on manifest", "x-taxii-date-added-first" in h and "x-taxii-date-added-last" in h, h)

# added_after, with any number of fractional digits
mid = manifest[len(manifest) // 2]["date_added"]
st, h, d = get(q(OUT + "manifest/", added_after=mid, limit=1000))
check("T5 added_after", st == 200 and all(m["date_added"] > mid for m in d.get("objects", [])), d)
trimmed = mid[:19] + "Z"
st, h, d = get(q(OUT + "manifest/", added_after=trimmed, limit=1000))
check("CLIENT added_after without a fraction", st == 200, f"{st} {d}")
st, h, d = get(q(OUT + "manifest/", added_after=mid[:23] + "123456789Z", limit=1000))
check("CLIENT added_after with nine fractional digits", st == 200, f"{st} {d}")

# match[type], match[id], match[version], match[spec_version]
types = sorted({i.split("--")[0] for i in latest})
st, h, d = get(q(OUT + "manifest/", **{"match[type]": types[0], "limit": 1000}))
check("T5 match[type]", st == 200 and d.get("objects") and all(m["id"].startswith(types[0] + "--") for m in d["objects"]), d)
st, h, d = get(q(OUT + "manifest/", **{"match[type]": "x-unknown-type"}))
check("T5 a STIX type with nothing to match is not an error", st == 200 and "objects" not in d, f"{st} {d}")
st, h, d = get(q(OUT + "manifest/", **{"match[type]": "indicator"}))
check("T5 match[type]=indicator does not error", st == 200, f"{st} {d}")
two = sorted(latest)[:2]
st, h, d = get(q(OUT + "manifest/", **{"match[id]": ",".join(two)}))
check("T5 match[id] OR", st == 200 and sorted(m["id"] for m in d.get("objects", [])) == two, d)
st, h, d = get(q(OUT + "manifest/", **{"match[id]": multi[0], "match[version]": "all"}))
check("T5 match[version]=all", st == 200 and len(d.get("objects", [])) >= 2, d)
st, h, d_first = get(q(OUT + "manifest/", **{"match[id]": multi[0], "match[version]": "first"}))
st, h, d_last = get(q(OUT + "manifest/", **{"match[id]": multi[0], "match[version]": "last"}))
check("T5 first and last differ for a versioned object",
      d_first["objects"][0]["version"] < d_last["objects"][0]["version"], (d_first, d_last))
v = d_first["objects"][0]["version"]
st, h, d = get(q(OUT + "manifest/", **{"match[id]": multi[0], "match[version]": v}))
check("T5 an exact version", st == 200 and [m["version"] for m in d.get("objects", [])] == [v], d)
st, h, d = get(q(OUT + "manifest/", **{"match[id]": multi[0], "match[version]": "first,last"}))
check("T5 versions OR", st == 200 and len(d.get("objects", [])) == 2, d)
st, h, d = get(q(OUT + "manifest/", **{"match[spec_version]": "2.0"}))
check("T5 nothing outside spec_version", st == 200 and "objects" not in d, f"{st} {d}")
st, h, d = get(q(OUT + "manifest/", **{"match[spec_version]": "2.1", "limit": 3}))
check("T5 spec_version 2.1", st == 200 and len(d.get("objects", [])) == 3, d)
st, h, d = get(q(OUT + "objects/", **{"match[type]": "report", "match[version]": "last", "limit": 1000}))
check("T5 fields AND", st == 200 and all(o["type"] == "report" for o in d.get("objects", [])), d)

# ---- T4: malformed parameters ----
bad = [("limit=0", "limit 0"), ("limit=-3", "negative limit"), ("limit=ten", "limit not a number"),
       ("added_after=yesterday", "bad added_after"),
       ("added_after=2020-01-01T00:00:00Z&added_after=2020-01-01T00:00:00Z", "repeated added_after"),
       ("match[id]=a&match[id]=b", "repeated match[id]"), ("match[version]=all,last", "all with others"),
       ("match[version]=last,last", "repeated keyword"), ("match[version]=someday", "bad version"),
       ("match[id]=not-an-id", "bad id"), ("next=12.deadbeef", "forged next")]
for query, what in bad:
    st, h, d = get(OUT + "objects/?" + query)
    check(f"T4 400 for {what}", st == 400 and h.get("content-type") == MEDIA, f"{st} {d}")
    check("T23 error body", isinstance(d, dict) and d.get("title") and d.get("http_status") == "400", d)

# ---- T26: next is re-checked ----
st, h, d = get(q(OUT + "objects/", limit=3))
nxt = d["next"]
st, h, d2 = get(q(OUT + "objects/", limit=3, next=nxt))
check("T26 a genuine next pages on", st == 200 and d2["objects"][0]["id"] != d["objects"][0]["id"], f"{st}")
st, h, _ = get(q(OUT + "objects/", limit=3, next=nxt, **{"match[type]": "report"}))
check("T26 next with another query is refused", st == 400, st)
forged = str(int(nxt.split(".")[0]) - 1) + "." + nxt.split(".")[1]
st, h, _ = get(q(OUT + "objects/", limit=3, next=forged))
check("T26 a next with a changed position is refused", st == 400, st)
st, h, _ = get(q(OUT + "objects/", limit=3, next=nxt), auth=basic(OTHER, OTHER_SECRET))
check("T26 another partner's next is refused (or the collection is not theirs)", st in (400, 404), st)

# ---- one object and its versions ----
oid = multi[0]
st, h, d = get(OUT + f"objects/{oid}/")
check("T22 object by STIX id", st == 200 and [o["id"] for o in d.get("objects", [])] == [oid], f"{st} {d}")
check("T9 X-TAXII headers on object", "x-taxii-date-added-first" in h, h)
st, h, d = get(q(OUT + f"objects/{oid}/", **{"match[version]": "all"}))
check("T22 every version of the object", st == 200 and len(d.get("objects", [])) >= 2, d)
st, h, d = get(OUT + f"objects/{oid}/versions/")
check("T22 versions", st == 200 and len(d.get("versions", [])) >= 2 and d["versions"] == sorted(d["versions"]), d)
check("T9 X-TAXII headers on versions", "x-taxii-date-added-last" in h, h)
unknown = "indicator--" + str(uuid.uuid4())
st, h, d = get(OUT + f"objects/{unknown}/")
check("T11 an unknown object is 404", st == 404 and h.get("content-type") == MEDIA, st)
st, h, d = get(OUT + f"objects/{unknown}/versions/")
check("T11 versions of an unknown object is 404", st == 404, st)

# ---- media types ----
for accept in (MEDIA, "application/taxii+json", "application/taxii+json; version=2.1",
               "application/taxii+json;version=2.1,application/stix+json;version=2.1", None):
    st, h, d = get(OUT + "objects/?limit=1", accept=accept)
    check(f"T3 Accept {accept!r} is served", st == 200, st)
for accept in ("application/xml", "application/taxii+json;version=2.0", "text/html"):
    st, h, d = get(OUT + "objects/?limit=1", accept=accept)
    check(f"T3 406 for Accept {accept!r}", st == 406 and h.get("content-type") == MEDIA, st)

# ---- authentication and isolation ----
st, h, d = get(root, auth=None)
check("T17 401 without credentials", st == 401 and "www-authenticate" in h and h.get("content-type") == MEDIA, (st, h))
st, h, d = get(root, auth=basic(CODE, "0" * 64))
check("T17 401 for a wrong secret", st == 401, st)
st, h, d = get(root, auth=f"Bearer {CODE}.{SECRET}")
check("bearer token", st == 200, st)
st, h, d = get(root, auth=f"Token {CODE}.{SECRET}")
check("CLIENT Token auth", st == 200, st)
st, h, d = get(root, auth=basic(OTHER, SECRET))
check("a secret is only its partner's", st == 401, st)
OA = basic(OTHER, OTHER_SECRET)
st, h, d = get(root + "collections/", auth=OA)
other_ids = {c["id"] for c in d.get("collections", [])}
check("partners have their own collections", st == 200 and not other_ids & {c["id"] for c in cols.values()}, d)
for path in (OUT, OUT + "objects/", OUT + "manifest/", OUT + f"objects/{oid}/", IN, WIT,
             WIT + "objects/"):
    st, h, d = get(path, auth=OA)
    check(f"another partner's {path[len(root):]} is 404", st == 404, st)
other_out = [c for c in get(root + "collections/", auth=OA)[2]["collections"] if c["alias"] == "outbox"][0]
st, h, d = get(f"{root}collections/{other_out['id']}/objects/", auth=OA)
check("T11 an empty collection gives an empty envelope", st == 200 and "objects" not in d, f"{st} {d}")
st, h, d = get(f"{root}collections/{other_out['id']}/manifest/", auth=OA)
check("T11 an empty manifest is {}", st == 200 and d == {}, f"{st} {d}")

# ---- T18, T19: what each collection allows ----
st, h, d = get(IN + "objects/")
check("T18 reading the inbox is refused", st in (403, 404), st)
st, h, d = get(IN + "manifest/")
check("T18 the inbox manifest is refused", st in (403, 404), st)
env = json.dumps({"objects": []})
st, h, d = req("POST", OUT + "objects/", body=env, headers={"Content-Type": MEDIA})
check("T18 writing to the outbox is refused", st in (403, 404), st)
st, h, d = req("DELETE", OUT + f"objects/{oid}/")
check("T19 DELETE on (read, no write) is 403", st == 403, st)
st, h, d = req("DELETE", IN + f"objects/{oid}/")
check("T19 DELETE on (no read, write) is 403", st == 403, st)
st, h, d = get(OUT + f"objects/{oid}/")
check("T19 a refused DELETE deletes nothing", st == 200, st)

# ---- T1, T2: paths and content type everywhere ----
st, h, d = get("/taxii2")
check("T1 only slash-terminated paths", st == 404 and h.get("content-type") == MEDIA, st)
st, h, d = get(root + "nothing-here/")
check("T2 Content-Type on 404", st == 404 and h.get("content-type") == MEDIA, h)
check("T23 http_status equals the status", d and d.get("http_status") == "404" and d.get("title"), d)
st, h, d = get(root + "status/" + str(uuid.uuid4()) + "/")
check("T15 an unknown status is 404", st == 404, st)

# ---- POST to the inbox ----
pushed = json.load(open(PUSH))["objects"]
check("setup: objects to push", len(pushed) > 20, len(pushed))
JSON_CT = {"Content-Type": MEDIA}


def post(objs, auth=AUTH, ct=JSON_CT, raw=None):
    return req("POST", IN + "objects/", auth=auth, body=raw if raw is not None else json.dumps({"objects": objs}),
               headers=ct)


def status_ok(d):
    return (d and d.get("id") and uuid.UUID(d["id"]).version == 4 and d.get("status") in ("complete", "pending")
            and all(isinstance(d.get(k), int) and d[k] >= 0 for k in
                    ("total_count", "success_count", "failure_count", "pending_count"))
            and d["success_count"] + d["failure_count"] + d["pending_count"] == d["total_count"]
            and len(d.get("successes", [])) == d["success_count"]
            and len(d.get("failures", [])) == d["failure_count"])


first = pushed[:10]
st, h, d = post(first)
check("T20 POST answers 202 with a status", st == 202 and status_ok(d) and d["success_count"] == 10, f"{st} {d}")
check("T15 status entries name id and version", all(e.get("id") and e.get("version") for e in d.get("successes", [])), d)
sid = d.get("id")
st, h, d2 = get(root + f"status/{sid}/")
check("T15 the status can be read back", st == 200 and d2 == d, f"{st} {d2}")
st, h, _ = get(root + f"status/{sid}/", auth=OA)
check("another partner cannot read the status", st == 404, st)
st, h, d = post(first)
check("T20 a duplicate POST is not an error", st == 202 and d.get("success_count") == 10, f"{st} {d}")
held = sql(f"SELECT count(*) FROM objects WHERE origin = '{CODE}'")[0][0]
check("posted objects are held with the partner as origin", held == 10, held)
tampered = json.loads(json.dumps(pushed[10]))
tampered["name"] = tampered.get("name", "") + " (changed)"
unsigned = {k: v for k, v in pushed[11].items() if k != "extensions"}
st, h, d = post([tampered, unsigned, pushed[12]])
check("a tampered or unsigned object fails, the others go in",
      st == 202 and status_ok(d) and d["failure_count"] == 2 and d["success_count"] == 1, f"{st} {d}")
msgs = " ".join(f.get("message", "") for f in d.get("failures", []))
check("the failures say why", "does not verify" in msgs and "signature" in msgs, msgs)
held = sql(f"SELECT count(*) FROM objects WHERE origin = '{CODE}'")[0][0]
check("nothing tampered was stored", held == 11, held)
st, h, d = post(pushed[13:15], ct={"Content-Type": "application/json"})
check("415 for another media type", st == 415 and h.get("content-type") == MEDIA, st)
st, h, d = post(None, raw="{\"objects\": [")
check("400 for a malformed envelope", st == 400, st)
big = json.dumps({"objects": [dict(pushed[0], description="x" * 3_000_000)]})
st, h, d = post(None, raw=big)
check("413 beyond max_content_length", st == 413, st)
st, h, d = post(pushed[13:15], auth=OA)
check("another partner cannot post to this inbox", st == 404, st)
st, h, d = req("POST", root + "collections/", body="{}", headers=JSON_CT)
check("POST where it is not allowed is 405", st == 405 and h.get("content-type") == MEDIA, st)

# ---- T24: exact property names, required ones present ----
RESOURCES = {  # resource: (required, allowed)
    "discovery": ({"title"}, {"title", "description", "contact", "default", "api_roots"}),
    "api-root": ({"title", "versions", "max_content_length"},
                 {"title", "description", "versions", "max_content_length"}),
    "collections": (set(), {"collections"}),
    "collection": ({"id", "title", "can_read", "can_write"},
                   {"id", "title", "description", "alias", "can_read", "can_write", "media_types"}),
    "manifest": (set(), {"more", "next", "objects"}),
    "manifest-record": ({"id", "date_added", "version"}, {"id", "date_added", "version", "media_type"}),
    "envelope": (set(), {"more", "next", "objects"}),
    "versions": (set(), {"more", "next", "versions"}),
    "status": ({"id", "status", "total_count", "success_count", "failure_count", "pending_count"},
               {"id", "status", "request_timestamp", "total_count", "success_count", "successes",
                "failure_count", "failures", "pending_count", "pendings"}),
    "error": ({"title"}, {"title", "description", "error_id", "error_code", "http_status",
                          "external_details", "details"}),
}


def shape(kind, doc):
    need, allowed = RESOURCES[kind]
    ok = isinstance(doc, dict) and need <= set(doc) and set(doc) <= allowed
    check(f"T24 {kind} properties", ok, f"{sorted(doc) if isinstance(doc, dict) else doc}")


shape("discovery", get("/taxii2/")[2])
shape("api-root", get(root)[2])
st, h, d = get(root + "collections/")
shape("collections", d)
for c in d.get("collections", []):
    shape("collection", c)
st, h, d = get(q(OUT + "manifest/", limit=3))
shape("manifest", d)
for m in d.get("objects", []):
    shape("manifest-record", m)
st, h, env = get(q(OUT + "objects/", limit=50))
shape("envelope", env)
st, h, d = get(OUT + "objects/" + multi[0] + "/versions/")
shape("versions", d)
st, h, d = post(pushed[15:17])
shape("status", d)
st, h, d = get(q(OUT + "objects/", limit=0))
shape("error", d)
# served objects: property names are [a-z0-9_], at most 250 characters, and only
# STIX's own "id" is shorter than 3; nothing internal to tearline (x_tearline_*)
names = {k for o in env.get("objects", []) for k in o}
check("T24 property names in served objects", all(re.fullmatch(r"[a-z0-9_]{3,250}", k) or k == "id"
                                                  for k in names), sorted(names))
check("T24 no internal properties served", not any(k.startswith("x_tearline") for k in names), sorted(names))

print(f"{checks} checks, {len(failures)} failed")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
