#!/usr/bin/env python3
"""What partner rus sends back in the fusion test and demo (docs/fusion.md).

usage: fusion_partner.py OURS.txt OUT.json T1 L1

Reads the ids usa released to rus ("id|original" lines of usa's outbox) and writes a
bundle of rus's own reporting: Cyrillic names, its source pseudonyms and
ratings, one relationship made of the ids usa released to it (an echo by
id), one repeating usa's released text (an echo by text), a report echoing
usa's report, and claims that corroborate, contradict and refute usa's.
"""
import json, sys
rows, out, t1, l1 = sys.argv[1:5]
ours = {o: i for i, o in (l.rstrip("\n").split("|") for l in open(rows))}
assert t1 in ours and l1 in ours, "released ids"
RP = "extension-definition--5b0f7c8e-93a4-4d21-b6e5-2f1c0d9a8e47"
def i(t, n): return "%s--e2000000-0000-4000-8000-%012d" % (t, n)
def prov(src, rel, cred):
    return {"extensions": {RP: {"extension_type": "property-extension",
            "source_ref": i("identity", src), "reliability": rel, "credibility": cred}}}
def obj(t, n, created="2026-01-03T00:00:00.000Z", **kw):
    o = {"type": t, "spec_version": "2.1", "id": i(t, n), "created": created, "modified": created,
         "labels": ["north-caucasus"]}
    o.update(kw)
    return o
def at(t, n, s, tg, day, src, rel, cred, created, **kw):
    return obj(t, n, created=created, relationship_type="located-at", source_ref=s, target_ref=tg,
               start_time=day, stop_time=day.replace("T00:", "T12:"), **kw, **prov(src, rel, cred))
objs = [
    obj("threat-actor", 1, name="Тархан Батирашвили", resource_level="individual"),
    obj("threat-actor", 3, name="Руслан Мачаликашвили", resource_level="individual"),
    obj("threat-actor", 9, name="Salahuddin Shishani", resource_level="individual"),
    obj("intrusion-set", 10, name="Jaish al-Muhajirin wal-Ansar",
        labels=["north-caucasus", "nationalist-separatist"]),
    obj("location", 21, name="Ar-Raqqah", country="SY", latitude=35.95, longitude=39.01),
    obj("location", 22, name="Grozny", country="RU", latitude=43.32, longitude=45.69),
    at("relationship", 41, i("threat-actor", 1), i("location", 21), "2026-03-10T00:00:00Z",
       31, "B", 2, "2026-03-11T00:00:00.000Z"),
    at("relationship", 42, i("threat-actor", 1), i("location", 22), "2026-03-15T00:00:00Z",
       32, "C", 3, "2026-03-16T00:00:00.000Z"),
    at("relationship", 43, ours[t1], ours[l1], "2026-03-20T00:00:00Z",
       33, "B", 2, "2026-03-21T00:00:00.000Z"),
    at("relationship", 44, i("threat-actor", 1), i("location", 21), "2026-03-12T00:00:00Z",
       34, "B", 2, "2026-03-13T00:00:00.000Z",
       description="Batirashvili was seen at a training camp near Raqqa with about forty "
                   "fighters in March 2026"),
    obj("relationship", 45, relationship_type="leads", source_ref=i("threat-actor", 9),
        target_ref=i("intrusion-set", 10), start_time="2026-02-01T00:00:00Z",
        **prov(31, "B", 3)),
    obj("sighting", 51, sighting_of_ref=i("threat-actor", 3), where_sighted_refs=[i("location", 22)],
        first_seen="2026-04-01T00:00:00Z", last_seen="2026-04-01T00:00:00Z", **prov(31, "B", 2)),
    # the same rus source again: dependent on PR1, averaged with it
    at("relationship", 46, i("threat-actor", 1), i("location", 21), "2026-03-11T00:00:00Z",
       31, "B", 3, "2026-03-12T00:00:00.000Z"),
    # a claim carried by a rus report that repeats our released report
    at("relationship", 47, i("threat-actor", 1), i("location", 21), "2026-03-25T00:00:00Z",
       35, "B", 2, "2026-03-26T00:00:00.000Z"),
    obj("report", 61, created="2026-03-27T00:00:00.000Z", name="Training camp near Raqqa",
        published="2026-03-27T00:00:00Z", object_refs=[i("relationship", 47)],
        description="A camp south of Raqqa trains North Caucasus recruits in small arms and "
                    "explosives under Chechen instructors", **prov(35, "B", 2)),
    # Chatayev, ours a member of JMA, is to rus a member of its rival
    obj("threat-actor", 4, name="Ахмед Чатаев", resource_level="individual"),
    obj("intrusion-set", 11, name="Islamic State"),
    obj("relationship", 48, created="2026-04-05T00:00:00.000Z", relationship_type="member-of",
        source_ref=i("threat-actor", 4), target_ref=i("intrusion-set", 11),
        start_time="2026-03-01T00:00:00Z", **prov(36, "B", 3)),
]
json.dump({"type": "bundle", "id": "bundle--e2000000-0000-4000-8000-000000000000", "objects": objs},
          open(out, "w"), ensure_ascii=False)
