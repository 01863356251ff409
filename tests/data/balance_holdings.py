import json, sys
GREEN = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
RED = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
PROV = "extension-definition--bb13a4a1-e6c4-4412-ad4b-bef9a3a4a9db"
T = "2026-01-05T10:00:00.000Z"
def obj(typ, n, src, conf=None, marking=GREEN, modified=T, **kw):
    o = {"type": typ, "spec_version": "2.1", "id": "%s--%s" % (typ, n), "created": T,
         "modified": modified, "labels": ["syria"], "object_marking_refs": [marking],
         "extensions": {PROV: {"extension_type": "property-extension", "source_ref": src,
                               "discipline": "humint"}}}
    if conf is not None: o["confidence"] = conf
    o.update(kw)
    return o
def ind(n, src, pattern, conf=None, **kw):
    return obj("indicator", n, src, conf, pattern=pattern, pattern_type="stix", valid_from=T, **kw)
def ident(n, name):
    return {"type": "identity", "spec_version": "2.1", "id": "identity--" + n, "created": T,
            "modified": T, "name": name, "identity_class": "individual"}
A = "[ipv4-addr:value = '198.51.100.7']"
B = "[domain-name:value = 'relay.example.net']"
C = "[ipv4-addr:value = '203.0.113.9']"
which = sys.argv[1]
if which == "usa":
    S1, S2 = "a0000000-0000-4000-8000-000000000001", "a0000000-0000-4000-8000-000000000002"
    objs = [ident(S1, "NIGHTJAR"), ident(S2, "KESTREL"),
            ind("a0000000-0000-4000-8000-000000000011", "identity--" + S1, A, 90),
            obj("report", "a0000000-0000-4000-8000-000000000012", "identity--" + S1, 70,
                name="Convoy movements near Idlib", published=T, labels=["syria", "iraq", "syria"],  # a label repeated
                object_refs=["indicator--a0000000-0000-4000-8000-000000000011"]),
            obj("threat-actor", "a0000000-0000-4000-8000-000000000013", "identity--" + S1,
                name="Jaish X"),
            ind("a0000000-0000-4000-8000-000000000014", "identity--" + S1, B, 50),
            ind("a0000000-0000-4000-8000-000000000016", "identity--" + S2, B, 30, marking=RED),
            # one place from two independent sources, released together
            obj("location", "a0000000-0000-4000-8000-000000000017", "identity--" + S1, 50,
                name="Safe house, Idlib", country="SY"),
            obj("location", "a0000000-0000-4000-8000-000000000018", "identity--" + S2,
                name="SAFE HOUSE, IDLIB", country="SY")]
elif which == "rus1":
    R = "b0000000-0000-4000-8000-000000000001"
    objs = [ident(R, "SOKOL"),
            ind("b0000000-0000-4000-8000-000000000011", "identity--" + R, C, 70),
            ind("b0000000-0000-4000-8000-000000000012", "identity--" + R, A, 90),
            obj("threat-actor", "b0000000-0000-4000-8000-000000000013", "identity--" + R,
                name="JAISH X")]
else:  # rus2
    R = "b0000000-0000-4000-8000-000000000001"
    T2 = "2026-02-01T10:00:00.000Z"
    objs = [ind("b0000000-0000-4000-8000-000000000014", "identity--" + R, B, 70),
            obj("malware", "b0000000-0000-4000-8000-000000000015", "identity--" + R, 90,
                name="Foo", is_family=True),
            ind("b0000000-0000-4000-8000-000000000011", "identity--" + R, C, 90, modified=T2)]
json.dump({"type": "bundle", "id": "bundle--c0000000-0000-4000-8000-00000000000%d" % len(which), "objects": objs}, sys.stdout, indent=1)
