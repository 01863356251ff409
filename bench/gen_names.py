#!/usr/bin/env python3
"""Synthetic name lists for bench/names: A.tsv and B.tsv of `id<TAB>name`.

usage: bench/gen_names.py N OUTDIR [--seed S]

Each entity is a person of the region: a given name, often a patronymic or
a father's name, a surname or nisba, sometimes a kunya. Given names come
from a pool of Arabic and Caucasian names with their usual spellings;
surnames are built from syllables (about 300,000 distinct), so that token
frequencies look like a real list: a few very common given names, a long
tail of family names. A holds N entities, each in Latin script. B holds N
names: a third are A's entities again, respelled, reordered, in Cyrillic or
in Arabic script, with the patronymic dropped or a kunya added; the rest are
other entities. The ids say which is which (a-123 and b-123 are the same
entity), so the run can count what linking found.
"""
import argparse, os, random

GIVEN = [  # Latin spellings (variants), Cyrillic, Arabic
    (["Muhammad", "Mohammed", "Mohamed", "Magomed"], "Магомед", "محمد"),
    (["Ahmad", "Ahmed", "Akhmed"], "Ахмед", "أحمد"),
    (["Umar", "Omar"], "Умар", "عمر"),
    (["Abdurrahman", "Abd al-Rahman", "Abdul Rahman"], "Абдурахман", "عبد الرحمن"),
    (["Abdullah", "Abdallah"], "Абдулла", "عبد الله"),
    (["Husayn", "Hussein", "Husain"], "Хусейн", "حسين"),
    (["Hasan", "Hassan"], "Хасан", "حسن"),
    (["Ibrahim", "Ibragim"], "Ибрагим", "إبراهيم"),
    (["Yusuf", "Yousef"], "Юсуф", "يوسف"),
    (["Khalid", "Khaled"], "Халид", "خالد"),
    (["Tarkhan", "Tarhan"], "Тархан", "طرخان"),
    (["Ruslan"], "Руслан", "روسلان"),
    (["Shamil", "Shamyl"], "Шамиль", "شامل"),
    (["Aslan"], "Аслан", "أصلان"),
    (["Zaurbek"], "Заурбек", "زاوربك"),
    (["Doku", "Dokka"], "Доку", "دوكو"),
    (["Rustam"], "Рустам", "رستم"),
    (["Said", "Saeed"], "Саид", "سعيد"),
    (["Salman"], "Салман", "سلمان"),
    (["Murad"], "Мурад", "مراد"),
    (["Anzor"], "Анзор", "أنزور"),
    (["Islam"], "Ислам", "إسلام"),
    (["Bilal"], "Билал", "بلال"),
    (["Hamza", "Hamzah"], "Хамза", "حمزة"),
    (["Usama", "Osama"], "Усама", "أسامة"),
    (["Jamal", "Djamel"], "Джамал", "جمال"),
    (["Tariq", "Tarek"], "Тарик", "طارق"),
    (["Yahya"], "Яхья", "يحيى"),
    (["Musa", "Moussa"], "Муса", "موسى"),
    (["Ismail", "Ismael"], "Исмаил", "إسماعيل"),
]
ONSET = ["b", "d", "g", "k", "kh", "l", "m", "n", "r", "s", "sh", "t", "ts", "v", "z", "ch", "dz", "h", "j", "q"]
VOWEL = ["a", "e", "i", "o", "u"]
CYR = {"kh": "х", "sh": "ш", "ts": "ц", "ch": "ч", "dz": "дз", "b": "б", "d": "д", "g": "г", "k": "к",
       "l": "л", "m": "м", "n": "н", "r": "р", "s": "с", "t": "т", "v": "в", "z": "з", "h": "х",
       "j": "дж", "q": "к", "a": "а", "e": "е", "i": "и", "o": "о", "u": "у", "y": "й"}
ARA = {"kh": "خ", "sh": "ش", "ts": "تس", "ch": "تش", "dz": "دز", "b": "ب", "d": "د", "g": "غ", "k": "ك",
       "l": "ل", "m": "م", "n": "ن", "r": "ر", "s": "س", "t": "ت", "v": "ف", "z": "ز", "h": "ه",
       "j": "ج", "q": "ق", "a": "ا", "o": "و", "u": "و", "i": "ي", "e": "ي", "y": "ي"}
SUFFIX = ["ov", "ev", "aev", "in", "shvili", "adze", "iev", "ani"]


def syllables(r, n):
    return [r.choice(ONSET) + r.choice(VOWEL) for _ in range(n)]


def surname(r):
    parts = syllables(r, r.randint(2, 3))
    return parts, r.choice(SUFFIX)


def latin_surname(parts, suf):
    return ("".join(parts) + suf).capitalize()


def cyr(parts, suf):
    out = []
    for p in parts + [suf]:
        i = 0
        while i < len(p):
            two = p[i:i + 2]
            if two in CYR:
                out.append(CYR[two]); i += 2
            else:
                out.append(CYR.get(p[i], p[i])); i += 1
    return "".join(out).capitalize()


def arabic(parts, suf):
    out = []
    for k, p in enumerate(parts + [suf]):
        i = 0
        while i < len(p):
            two = p[i:i + 2]
            if two in ARA:
                out.append(ARA[two]); i += 2
                continue
            c = p[i]
            # short vowels are not written, except at the start and as long ones
            if c in "aeiou" and not (k == 0 and i == 0) and not (c in "oui" and k == len(parts)):
                i += 1
                continue
            out.append("ا" if c in "aeiou" and k == 0 and i == 0 else ARA.get(c, ""))
            i += 1
    return "".join(out)


def respell(r, s):
    """A romanization variant: doubled or undoubled letters, kh/h, ou/u, -ev/-yev."""
    ops = [("kh", "h"), ("u", "ou"), ("ev", "yev"), ("sh", "ch"), ("j", "dzh"), ("ts", "tz"), ("a", "ah")]
    a, b = r.choice(ops)
    return s.replace(a, b, 1) if a in s else s + ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    r = random.Random(a.seed)
    os.makedirs(a.outdir, exist_ok=True)
    surnames = [surname(r) for _ in range(max(1000, a.n // 3))]
    def entity():
        g = r.randrange(len(GIVEN))
        f = r.randrange(len(GIVEN))
        s = r.randrange(len(surnames))
        return g, f, s, r.random() < 0.5, r.random() < 0.15
    ents = [entity() for _ in range(a.n)]
    with open(os.path.join(a.outdir, "A.tsv"), "w", encoding="utf-8") as fa:
        for i, (g, f, s, patr, kunya) in enumerate(ents):
            parts = [r.choice(GIVEN[g][0])]
            if patr:
                parts.append(GIVEN[f][0][0] + "ovich")
            parts.append(latin_surname(*surnames[s]))
            fa.write(f"a-{i}\t{' '.join(parts)}\n")
    with open(os.path.join(a.outdir, "B.tsv"), "w", encoding="utf-8") as fb:
        for i in range(a.n):
            if r.random() < 1 / 3:
                g, f, s, patr, kunya = ents[i]
                tag = f"b-{i}"
            else:
                g, f, s, patr, kunya = entity()
                tag = f"x-{i}"
            sparts, suf = surnames[s]
            form = r.random()
            if form < 0.4:  # Cyrillic, surname first
                name = f"{cyr(sparts, suf)} {GIVEN[g][1]}"
                if patr:
                    name += " " + GIVEN[f][1] + "ович"
            elif form < 0.7:  # Arabic script
                name = f"{GIVEN[g][2]} {GIVEN[f][2]} {arabic(sparts, suf)}"
            else:  # another Latin spelling
                name = f"{r.choice(GIVEN[g][0])} {respell(r, latin_surname(sparts, suf))}"
                if kunya:
                    name = f"Abu {r.choice(GIVEN[f][0])} " + name
            fb.write(f"{tag}\t{name}\n")


if __name__ == "__main__":
    main()
