#!/usr/bin/env python3
"""Generate a realistic STIX 2.1 corpus for benchmarks and load tests.

Threat actors and groups with aliases in Latin, Cyrillic and Arabic script,
persons, locations, reports, relationships, sightings and indicators, each
carrying tearline provenance (source, discipline, method, Admiralty ratings,
caveats). Objects average about 1 KB.

usage: gen_corpus.py [--objects N | --bytes B] [--format bundle|jsonl]
                     [--seed S] [--rows FILE] OUT

--rows FILE also writes the rows the store holds for these objects, as CSV
in the column order of its objects table (seq, id, version, type, created,
added, origin, revoked, latest, canonical json), FILE.labels the (label,
seq) rows of its labels table and FILE.facets the (kind, value, seq) rows of
its facets table: the sqlite3 shell baseline in bench/ingest loads exactly
these.
"""
import argparse
import csv
import json
import random
import sys
import uuid

PROV = "extension-definition--bb13a4a1-e6c4-4412-ad4b-bef9a3a4a9db"

GIVEN_LAT = ["Tarkhan", "Umar", "Akhmed", "Ruslan", "Zelimkhan", "Murad", "Islam", "Magomed",
             "Abdul", "Salman", "Khalid", "Yusuf", "Ibrahim", "Anzor", "Rustam", "Shamil"]
FAMILY_LAT = ["Batirashvili", "Shishani", "Gelayev", "Umarov", "Basayev", "Dudayev", "Kadyrov",
              "Khattab", "Margoshvili", "Aliyev", "Tsokayev", "Zakayev", "Akhmadov", "Bakayev"]
GIVEN_CYR = ["Тархан", "Умар", "Ахмед", "Руслан", "Зелимхан", "Мурад", "Ислам", "Магомед"]
FAMILY_CYR = ["Батирашвили", "Шишани", "Гелаев", "Умаров", "Басаев", "Дудаев", "Закаев"]
GIVEN_AR = ["طرخان", "عمر", "أحمد", "رسلان", "مراد", "إسلام", "محمد", "خالد"]
FAMILY_AR = ["الشيشاني", "باتيراشفيلي", "الداغستاني", "القوقازي", "الأنصاري"]
GROUPS = [("Jaish al-Muhajireen wal-Ansar", "Армия эмигрантов и ансаров", "جيش المهاجرين والأنصار"),
          ("Caucasus Emirate", "Имарат Кавказ", "إمارة القوقاز"),
          ("Islamic State", "Исламское государство", "الدولة الإسلامية"),
          ("Ajnad al-Kavkaz", "Аджнад аль-Кавказ", "أجناد القوقاز")]
PLACES = [("Pankisi Gorge", "GE", 42.2, 45.3), ("Raqqa", "SY", 35.95, 39.0),
          ("Aleppo", "SY", 36.2, 37.15), ("Mosul", "IQ", 36.34, 43.13),
          ("Grozny", "RU", 43.32, 45.69), ("Makhachkala", "RU", 42.98, 47.5),
          ("Idlib", "SY", 35.93, 36.63), ("Istanbul", "TR", 41.01, 28.98)]
DISCIPLINES = ["humint", "sigint", "imint", "geoint", "osint", "liaison"]
METHODS = ["handler meeting at a safe house", "intercept of a satellite phone",
           "drone imagery over the valley", "open-source monitoring of channels",
           "liaison report from a partner service", "debriefing of a returnee"]
WORDS = ("fighters convoy border crossing recruitment financing courier safe house checkpoint "
         "training camp commander logistics weapons cache ammunition transfer meeting network "
         "relative village valley route smuggling documents passport travel returned").split()


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.sources = []
        self.persons = []
        self.groups = []
        self.locations = []
        self.recent = []
        self.recent_sdo = []
        self.t0 = 1_700_000_000

    def uid(self, t):
        return f"{t}--{uuid.UUID(int=self.r.getrandbits(128), version=4)}"

    def ts(self):
        s = self.t0 + self.r.randrange(0, 80_000_000)
        ms = self.r.randrange(1000)
        import time
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + f".{ms:03d}Z"

    def text(self, n):
        return " ".join(self.r.choice(WORDS) for _ in range(n)).capitalize() + "."

    def prov(self, cred):
        p = {"extension_type": "property-extension",
             "discipline": self.r.choice(DISCIPLINES),
             "method": self.r.choice(METHODS),
             "reliability": self.r.choice("ABBCCCDEF"),
             "credibility": cred,
             "caveats": {"noforn": self.r.random() < 0.1, "orcon": self.r.random() < 0.2,
                         "rel_to": self.r.sample(["usa", "rus", "gbr", "fra", "tur"], 2)},
             "collected_at": self.ts(),
             "collected_where": self.r.choice(PLACES)[0]}
        if self.sources:
            p["source_ref"] = self.r.choice(self.sources)
        if self.r.random() < 0.15 and self.sources:
            p["originator"] = self.r.choice(self.sources)
        return p

    def common(self, t):
        c = self.ts()
        cred = self.r.randint(1, 6)
        o = {"type": t, "spec_version": "2.1", "id": self.uid(t), "created": c, "modified": c,
             "labels": self.r.sample(["north-caucasus", "syria", "iraq", "financing", "travel",
                                      "returnee", "recruitment"], 2),
             "extensions": {PROV: self.prov(cred)}}
        conf = {1: 90, 2: 70, 3: 50, 4: 30, 5: 10}.get(cred)
        if conf is not None:
            o["confidence"] = conf
        return o

    def person(self):
        o = self.common("identity")
        script = self.r.random()
        if script < 0.5:
            name = f"{self.r.choice(GIVEN_LAT)} {self.r.choice(FAMILY_LAT)}"
        elif script < 0.8:
            name = f"{self.r.choice(GIVEN_CYR)} {self.r.choice(FAMILY_CYR)}"
        else:
            name = f"{self.r.choice(GIVEN_AR)} {self.r.choice(FAMILY_AR)}"
        o.update(name=name, identity_class="individual",
                 description=self.text(33),
                 x_tearline_aliases=[f"Abu {self.r.choice(GIVEN_LAT)}",
                                     f"{self.r.choice(GIVEN_CYR)} {self.r.choice(FAMILY_CYR)}"])
        self.persons.append(o["id"])
        return o

    def source(self):
        o = self.common("identity")
        o.update(name=f"Source {self.r.choice(['CARDAMOM', 'SAFFRON', 'NUTMEG', 'CLOVE'])} "
                      f"{self.r.randrange(1000)}", identity_class="individual")
        self.sources.append(o["id"])
        return o

    def group(self):
        o = self.common(self.r.choice(["threat-actor", "intrusion-set"]))
        lat, cyr, ar = self.r.choice(GROUPS)
        o.update(name=lat, aliases=[cyr, ar, lat.upper()], description=self.text(38),
                 first_seen=self.ts())
        o["last_seen"] = max(o["first_seen"], self.ts())
        if o["type"] == "threat-actor":
            o["threat_actor_types"] = ["terrorist"]
        self.groups.append(o["id"])
        return o

    def location(self):
        o = self.common("location")
        name, cc, lat, lon = self.r.choice(PLACES)
        o.update(name=name, country=cc, latitude=round(lat + self.r.uniform(-0.1, 0.1), 5),
                 longitude=round(lon + self.r.uniform(-0.1, 0.1), 5), precision=500.0,
                 description=self.text(38))
        self.locations.append(o["id"])
        return o

    def relationship(self):
        o = self.common("relationship")
        kind = self.r.random()
        if kind < 0.4 and self.persons and self.groups:
            o.update(relationship_type="affiliated-with", source_ref=self.r.choice(self.persons),
                     target_ref=self.r.choice(self.groups))
        elif kind < 0.8 and self.persons and self.locations:
            o.update(relationship_type="located-at", source_ref=self.r.choice(self.persons),
                     target_ref=self.r.choice(self.locations))
        else:
            o.update(relationship_type="related-to", source_ref=self.r.choice(self.recent_sdo),
                     target_ref=self.r.choice(self.recent_sdo))
        o["description"] = self.text(33)
        return o

    def sighting(self):
        o = self.common("sighting")
        o.update(sighting_of_ref=self.r.choice(self.groups or self.recent_sdo),
                 where_sighted_refs=[self.r.choice(self.locations)] if self.locations else None,
                 count=self.r.randint(1, 40), description=self.text(33))
        if o["where_sighted_refs"] is None:
            del o["where_sighted_refs"]
        return o

    def report(self):
        o = self.common("report")
        refs = self.r.sample(self.recent, min(len(self.recent), self.r.randint(2, 6)))
        o.update(name=f"Report: {self.text(6)}", published=o["created"], object_refs=refs,
                 report_types=["threat-actor"], description=self.text(22))
        return o

    def indicator(self):
        o = self.common("indicator")
        ip = ".".join(str(self.r.randrange(1, 255)) for _ in range(4))
        o.update(name="Courier phone relay", pattern=f"[ipv4-addr:value = '{ip}']",
                 pattern_type="stix", valid_from=o["created"], indicator_types=["attribution"],
                 description=self.text(44))
        return o

    def next(self):
        if len(self.sources) < 20:
            o = self.source()
        else:
            x = self.r.random()
            if x < 0.20:
                o = self.person()
            elif x < 0.28:
                o = self.group()
            elif x < 0.38:
                o = self.location()
            elif x < 0.62 and len(self.recent) > 4:
                o = self.relationship()
            elif x < 0.74 and len(self.recent) > 4:
                o = self.sighting()
            elif x < 0.84 and len(self.recent) > 4:
                o = self.report()
            else:
                o = self.indicator()
        self.recent.append(o["id"])
        if o["type"] not in ("relationship", "sighting"):
            self.recent_sdo.append(o["id"])
        for lst in (self.recent, self.recent_sdo):
            if len(lst) > 200:
                del lst[:-200]
        for lst in (self.persons, self.groups, self.locations):
            if len(lst) > 500:
                del lst[:-500]
        return o


PROV = "extension-definition--bb13a4a1-e6c4-4412-ad4b-bef9a3a4a9db"


def facets_of(o):
    """The (kind, value) rows the store indexes for o (src/store/store.h)."""
    prov = o.get("extensions", {}).get(PROV, {})
    cav = prov.get("caveats", {})
    out = set()
    for k in ("source_ref", "originator"):
        if isinstance(prov.get(k), str):
            out.add(("source", prov[k]))
    if isinstance(prov.get("originator"), str):
        out.add(("originator", prov["originator"]))
    ends = {"relationship": ("source_ref", "target_ref"), "sighting": ("sighting_of_ref",)}
    for k in ends.get(o["type"], ()):
        out.add(("end", o[k]))
    for k in ("noforn", "orcon"):
        if cav.get(k) is True:
            out.add(("caveat", k))
    if "rel_to" in cav:
        out.add(("caveat", "rel_to"))
        out.update(("rel_to", c) for c in cav["rel_to"])
    out.update(("marking", m) for m in o.get("object_marking_refs", []))
    return sorted(out)


def version_key(ts):
    base, frac = ts[:19], ts[20:-1] if len(ts) > 20 else ""
    frac = frac.rstrip("0") if len(frac) > 9 else frac
    return base + "." + frac.ljust(9, "0")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--objects", type=int, default=0)
    ap.add_argument("--bytes", type=int, default=0)
    ap.add_argument("--format", choices=["bundle", "jsonl"], default="bundle")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rows")
    a = ap.parse_args()
    if not a.objects and not a.bytes:
        a.objects = 10000
    g = Gen(a.seed)
    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8")
    rows = csv.writer(open(a.rows, "w", encoding="utf-8", newline="")) if a.rows else None
    labels = csv.writer(open(a.rows + ".labels", "w", encoding="utf-8", newline="")) if a.rows else None
    facets = csv.writer(open(a.rows + ".facets", "w", encoding="utf-8", newline="")) if a.rows else None
    written = n = 0
    if a.format == "bundle":
        head = '{"type":"bundle","id":"bundle--%s","objects":[\n' % uuid.UUID(int=g.r.getrandbits(128), version=4)
        out.write(head)
        written += len(head)
    while (a.objects and n < a.objects) or (a.bytes and written < a.bytes):
        o = g.next()
        line = json.dumps(o, ensure_ascii=False, separators=(",", ":"))
        if a.format == "bundle" and n:
            out.write(",\n")
            written += 2
        out.write(line)
        if a.format == "jsonl":
            out.write("\n")
        written += len(line.encode("utf-8")) + (a.format == "jsonl")
        if rows:
            canon = json.dumps(o, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            v = version_key(o["modified"])
            seq = n + 1
            rows.writerow([seq, o["id"], v, o["type"], v, 1_800_000_000_000_000 + seq, "", 0, 1, canon])
            for lb in o.get("labels", []):
                labels.writerow([lb, seq])
            for kind, value in facets_of(o):
                facets.writerow([kind, value, seq])
        n += 1
    if a.format == "bundle":
        out.write("\n]}\n")
    out.close()
    print(f"{n} objects, {written} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
