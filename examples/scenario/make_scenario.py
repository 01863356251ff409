#!/usr/bin/env python3
"""Writes the two-partner scenario of `tearline demo` (usa.json, rus.json,
rus-later.json, agreement.json) into this folder.

The persons are fictional; the organizations are real, publicly designated
groups (Islamic State, Jaish al-Muhajireen wal-Ansar, the Caucasus Emirate).
usa holds its own sources, the designation of JMA, names in Latin and Arabic
script; rus holds intercept- and drone-derived reporting, human sources,
material from a third country's service (consent recorded for part of it)
and North Caucasus fighters in Syria and Iraq with names in Cyrillic. Both
hold NOFORN items and protected terms. rus-later.json is what rus learns
after the first exchange: a fighter travelling toward home, and a report
that repeats what usa released to it.
"""
import json, os

HERE = os.path.dirname(os.path.abspath(__file__))
PROV = "extension-definition--bb13a4a1-e6c4-4412-ad4b-bef9a3a4a9db"
T0 = "2026-03-01T00:00:00.000Z"


def oid(kind, side, n):
    return "%s--%s-0000-4000-8000-%012d" % (kind, "5ce0a001" if side == "usa" else "5ce0b002", n)


def obj(kind, side, n, created=T0, **kw):
    o = {"type": kind, "spec_version": "2.1", "id": oid(kind, side, n), "created": created, "modified": created}
    o.update(kw)
    return o


def prov(side, src, disc, method, rel, cred, noforn=False, orcon=False, originator=None, rel_to=None):
    p = {"extension_type": "property-extension", "source_ref": oid("identity", side, src), "discipline": disc,
         "method": method, "reliability": rel, "credibility": cred,
         "caveats": {"noforn": noforn, "orcon": orcon}}
    if rel_to:
        p["caveats"]["rel_to"] = rel_to
    if originator:
        p["originator"] = originator
    return {"extensions": {PROV: p}}


L = ["north-caucasus"]
LS = ["north-caucasus", "syria"]


def usa():
    s = "usa"
    src = lambda n, name: obj("identity", s, n, name=name, identity_class="individual", labels=L)
    src_sys = lambda n, name: obj("identity", s, n, name=name, identity_class="system", labels=L)
    person = lambda n, name, **kw: obj("threat-actor", s, n, name=name, resource_level="individual", labels=LS, **kw)
    group = lambda n, name, **kw: obj("intrusion-set", s, n, name=name, **kw)
    place = lambda n, name, c, la, lo: obj("location", s, n, name=name, country=c, latitude=la, longitude=lo, labels=L)

    def rel(n, a, kind, b, start, stop=None, created=T0, **p):
        r = obj("relationship", s, n, created=created, relationship_type=kind, source_ref=a, target_ref=b,
                start_time=start, labels=LS, **p)
        if stop:
            r["stop_time"] = stop
        return r
    humint = lambda rel_, cred, **kw: prov(s, 1, "humint", "met handler at Station Alpha", rel_, cred, **kw)
    imint = lambda rel_, cred, **kw: prov(s, 2, "imint", "REAPER-7 passes over the valley", rel_, cred, **kw)
    T, C, M, K = oid("threat-actor", s, 11), oid("threat-actor", s, 12), oid("threat-actor", s, 13), oid("threat-actor", s, 14)
    JMA, IS, CE = oid("intrusion-set", s, 21), oid("intrusion-set", s, 22), oid("intrusion-set", s, 23)
    RAQ, PAN, IST = oid("location", s, 31), oid("location", s, 32), oid("location", s, 33)
    objs = [
        src(1, "Agent NIGHTJAR"), src_sys(2, "REAPER-7"),
        person(11, "Tarkhan Batirashvili", aliases=["Abu Omar al-Shishani", "أبو عمر الشيشاني"],
               x_birth_date="1986-01-11", x_nationality="GE", **humint("B", 2)),
        person(12, "Akhmed Chatayev", x_birth_date="1980-07-14", x_nationality="RU", **imint("B", 2)),
        person(13, "Murad Margoshvili", aliases=["Muslim Abu Walid al-Shishani"], **humint("C", 3)),
        person(14, "Khalid al-Dagestani", aliases=["خالد الداغستاني"], **humint("B", 3)),
        group(21, "Jaish al-Muhajireen wal-Ansar", aliases=["JMA", "جيش المهاجرين والأنصار"],
              labels=LS + ["jihadist"], **humint("A", 2)),
        group(22, "Islamic State", aliases=["ISIL", "الدولة الإسلامية"], labels=LS + ["jihadist"], **humint("A", 1)),
        group(23, "Caucasus Emirate", aliases=["Imarat Kavkaz"], labels=L + ["jihadist"], **humint("A", 1)),
        place(31, "Raqqa", "SY", 35.95, 39.01), place(32, "Pankisi Gorge", "GE", 42.2, 45.3),
        place(33, "Istanbul", "TR", 41.01, 28.98),
        rel(41, T, "located-at", RAQ, "2026-02-01T00:00:00Z", "2026-02-28T00:00:00Z",
            description="Batirashvili was seen at a training camp near Raqqa with about forty fighters in February",
            **humint("B", 2)),
        rel(42, M, "leads", JMA, "2026-01-01T00:00:00Z", **humint("B", 2)),
        rel(43, C, "member-of", JMA, "2025-06-01T00:00:00Z", **imint("B", 2)),
        rel(44, T, "member-of", IS, "2025-01-01T00:00:00Z", **humint("B", 2)),
        rel(45, IS, "rival-of", JMA, "2024-01-01T00:00:00Z", **humint("A", 1)),
        rel(46, K, "member-of", CE, "2024-06-01T00:00:00Z", **humint("B", 3)),
        rel(47, K, "affiliated-with", IS, "2025-03-01T00:00:00Z", **humint("C", 3)),
        obj("report", s, 51, name="Designation of Jaish al-Muhajireen wal-Ansar as a terrorist organization",
            published=T0, report_types=["threat-actor"], object_refs=[JMA], labels=LS,
            description="Jaish al-Muhajireen wal-Ansar is designated a foreign terrorist organization."),
        # kept home: NOFORN, and a report that names the station and the operation
        obj("report", s, 52, name="Source handling notes", published=T0, object_refs=[T], labels=LS,
            description="NIGHTJAR met his handler at Station Alpha during Operation SANDSTORM.",
            **humint("A", 1, noforn=True)),
        obj("report", s, 53, name="Camp near Raqqa", published=T0, object_refs=[T, RAQ], labels=LS,
            description="Reporting from Station Alpha places Batirashvili near Raqqa; the camp trains "
                        "North Caucasus recruits in small arms.", **humint("B", 2)),
    ]
    return objs


def rus():
    s = "rus"
    src = lambda n, name, cls="individual": obj("identity", s, n, name=name, identity_class=cls, labels=L)
    def person(n, name, **kw):
        kw.setdefault("labels", L)
        return obj("threat-actor", s, n, name=name, resource_level="individual", **kw)
    place = lambda n, name, c, la, lo: obj("location", s, n, name=name, country=c, latitude=la, longitude=lo, labels=L)

    def rel(n, a, kind, b, start, stop=None, created=T0, **p):
        r = obj("relationship", s, n, created=created, relationship_type=kind, source_ref=a, target_ref=b,
                start_time=start, labels=L, **p)
        if stop:
            r["stop_time"] = stop
        return r
    sigint = lambda rel_, cred, **kw: prov(s, 1, "sigint", "intercept of a satellite phone at post Vostok-3",
                                           rel_, cred, **kw)
    imint = lambda rel_, cred, **kw: prov(s, 2, "imint", "Orion drone over the Pankisi valley", rel_, cred, **kw)
    humint = lambda rel_, cred, **kw: prov(s, 3, "humint", "agent KEDR, debriefed in Grozny", rel_, cred, **kw)
    third = oid("identity", s, 4)
    liaison = lambda rel_, cred, **kw: prov(s, 4, "liaison", "liaison report from a partner service", rel_, cred,
                                            originator=third, **kw)
    T, C, R, Z = oid("threat-actor", s, 11), oid("threat-actor", s, 12), oid("threat-actor", s, 13), oid("threat-actor", s, 14)
    JMA, CE = oid("intrusion-set", s, 21), oid("intrusion-set", s, 23)
    GRZ, MOS, RAQ = oid("location", s, 31), oid("location", s, 32), oid("location", s, 33)
    objs = [
        src(1, "Post Vostok-3", "system"), src(2, "Orion-2", "system"), src(3, "Agent KEDR"),
        src(4, "Security service of a third country", "organization"),
        person(11, "Тархан Батирашвили", labels=L + ["nationalist-separatist"], x_birth_date="1986-01-11"),
        person(12, "Ахмед Чатаев", x_birth_date="1980-07-14"),
        person(13, "Руслан Мачаликашвили", x_birth_date="1991-05-02"),
        person(14, "Зелимхан Хангошвили"),
        obj("intrusion-set", s, 21, name="Джейш аль-Мухаджирин валь-Ансар", labels=L + ["nationalist-separatist"]),
        obj("intrusion-set", s, 23, name="Имарат Кавказ", labels=L + ["nationalist-separatist"]),
        place(31, "Grozny", "RU", 43.32, 45.69), place(32, "Mosul", "IQ", 36.34, 43.13),
        place(33, "Ar-Raqqah", "SY", 35.95, 39.02),
        # corroborates usa (another source, another discipline): Chatayev in JMA
        rel(41, C, "member-of", JMA, "2025-07-01T00:00:00Z", **sigint("B", 2)),
        # contradicts usa: Batirashvili in Grozny while usa has him near Raqqa
        rel(42, T, "located-at", GRZ, "2026-02-10T00:00:00Z", "2026-02-10T12:00:00Z", **humint("C", 3)),
        # a North Caucasus fighter in Iraq
        rel(43, R, "located-at", MOS, "2025-09-01T00:00:00Z", "2025-12-31T00:00:00Z", **imint("B", 2)),
        rel(44, R, "member-of", JMA, "2025-06-01T00:00:00Z", **sigint("B", 3)),
        # third-party material: consent recorded for the first only
        rel(45, Z, "located-at", RAQ, "2025-11-01T00:00:00Z", "2025-11-30T00:00:00Z", **liaison("B", 2)),
        obj("report", s, 51, name="Intercept summary", published=T0, object_refs=[Z], labels=L,
            description="A call intercepted at Vostok-3 places Khangoshvili's couriers near Raqqa.",
            **liaison("C", 3)),
        # kept home
        obj("report", s, 52, name="Agent KEDR tasking", published=T0, object_refs=[R], labels=L,
            description="KEDR is tasked against the Mosul group.", **humint("A", 1, noforn=True)),
    ]
    return objs


def rus_later():
    s = "rus"
    src_ref = oid("identity", s, 3)
    R = oid("threat-actor", s, 13)
    IST = oid("location", s, 34)
    humint = prov(s, 3, "humint", "agent KEDR, debriefed in Grozny", "B", 2)
    later = "2026-03-20T00:00:00.000Z"
    return [
        obj("location", s, 34, created=later, name="Istanbul", country="TR", latitude=41.0, longitude=28.97, labels=L),
        # a fighter travelling toward home: the watchlist's alert on usa's side (a relationship:
        # where a sighting was made is not released)
        obj("relationship", s, 61, created=later, relationship_type="located-at", source_ref=R,
            target_ref=IST, start_time="2026-03-18T00:00:00Z", stop_time="2026-03-19T00:00:00Z",
            labels=L, **humint),
        # a report that repeats what usa released to rus: circular reporting
        obj("relationship", s, 62, created=later, relationship_type="located-at",
            source_ref=oid("threat-actor", s, 11), target_ref=oid("location", s, 33),
            start_time="2026-02-15T00:00:00Z", stop_time="2026-02-16T00:00:00Z", labels=L,
            description="Batirashvili was seen at a training camp near Raqqa with about forty fighters in "
                        "February 2026", **prov(s, 3, "humint", "agent KEDR, debriefed in Grozny", "B", 2)),
    ]


def agreement():
    return {
        "type": "tearline-agreement", "id": "agreement--5ce0c003-0000-4000-8000-000000000001", "version": 1,
        "title": "Intensified cooperation against the Islamic State and other counter-terrorism challenges",
        "parties": [{"code": "usa", "public_key": "@PKU@", "title": "United States"},
                    {"code": "rus", "public_key": "@PKR@", "title": "Russian Federation"}],
        "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2099-12-31T00:00:00Z",
        "scope": {"labels": ["north-caucasus", "syria"]},
        "rules": {"tlp_max": "amber", "allow_unmarked": True},
        "profile": {"location_precision_km": 25, "time_precision": "day", "lexicon": True,
                    "discipline_classes": {"humint": "human reporting", "sigint": "technical collection",
                                           "imint": "imagery", "liaison": "partner service"}},
        "consents": [{"originator": oid("identity", "rus", 4), "items": [oid("relationship", "rus", 45)],
                      "party": "usa", "until": "2099-01-01T00:00:00Z"}],
        "commitments": [{"party": "rus", "topic": "north-caucasus", "at_least": 3, "period": "P30D"},
                        {"party": "usa", "topic": "syria", "at_least": 3, "period": "P30D"}],
    }


def bundle(name, objs):
    return {"type": "bundle", "id": "bundle--5ce0d004-0000-4000-8000-%012d" % (hash(name) % 10**12), "objects": objs}


if __name__ == "__main__":
    for name, objs in (("usa", usa()), ("rus", rus()), ("rus-later", rus_later())):
        with open(os.path.join(HERE, name + ".json"), "w") as f:
            json.dump({"type": "bundle", "id": "bundle--5ce0d004-0000-4000-8000-%012d" % len(name),
                       "objects": objs}, f, ensure_ascii=False, indent=1)
            f.write("\n")
    with open(os.path.join(HERE, "agreement.json"), "w") as f:
        json.dump(agreement(), f, ensure_ascii=False, indent=1)
        f.write("\n")
    with open(os.path.join(HERE, "lexicon-usa.txt"), "w") as f:
        f.write("Station Alpha\nNIGHTJAR\nOperation SANDSTORM\nREAPER-7\n")
    with open(os.path.join(HERE, "lexicon-rus.txt"), "w") as f:
        f.write("Vostok-3\nKEDR\nOrion-2\n")
    with open(os.path.join(HERE, "watch-returning.json"), "w") as f:
        json.dump({"name": "returning fighters",
                   "description": "North Caucasus fighters in Syria or Iraq, not reported dead, reported "
                                  "travelling toward home",
                   "subject": {"kind": "person", "labels_any": ["north-caucasus"]},
                   "all": [{"predicate": ["located-at", "sighted-at"], "object": {"country_any": ["SY", "IQ"]}}],
                   "none": [{"predicate": ["dead"]}],
                   "new": [{"predicate": ["located-at", "sighted-at", "travels-to"],
                            "object": {"country_any": ["TR", "GE", "RU"]}, "min_belief": 0.2}]},
                  f, indent=1)
        f.write("\n")
