"""A second, plain implementation of every agreement figure, and generated annotation sets.

Loops over lists and brute-force matching, written apart from ``annotation/team/agreement.py``
so that the two can be compared (``tests/annotation/test_agreement.py``).
"""

from __future__ import annotations

import math
import re
from itertools import combinations

import krippendorff
import numpy as np
from hypothesis import settings
from hypothesis import strategies as st

from akhbar.annotation.team.agreement import Agreement
from akhbar.annotation.team.annotator_versions import TaskVersions

LABELS = ["PER", "ORG", "GPE"]
TYPES = ["Attack", "Die"]
ROLES = ["Victim", "Place"]
WORDS = ["قتل", "رجل", "في", "بغداد", "الجيش", "وأصيب", "مدني", "قرب", "الحدود"]


# --- generated annotation sets ------------------------------------------------------------------


@st.composite
def task_sets(draw, max_docs=4, max_annotators=4):
    """(tasks, annotators): each task a text and each annotator's document, or none."""
    n_ann = draw(st.integers(1, max_annotators))
    names = [f"ann{i}" for i in range(n_ann)]
    tasks = []
    for t in range(draw(st.integers(0, max_docs))):
        words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8))
        text = " ".join(words)
        versions = {}
        for name in names:
            if draw(st.booleans()) or draw(st.booleans()):
                versions[name] = draw(documents(text, t))
        tasks.append(TaskVersions(t, f"art{t}", text, versions))
    return tasks, names


@st.composite
def documents(draw, text, t):
    spans = st.tuples(st.integers(0, len(text) - 1), st.integers(1, 6)).map(
        lambda p: (p[0], min(len(text), p[0] + p[1]))
    )
    ents = []
    for k, (s, e) in enumerate(draw(st.lists(spans, max_size=5))):
        ents.append(
            {
                "id": f"e{k}",
                "start": s,
                "end": e,
                "text": text[s:e],
                "label": draw(st.sampled_from(LABELS)),
            }
        )
    events = []
    for k, (s, e) in enumerate(draw(st.lists(spans, max_size=2))):
        args = []
        if ents:
            for _ in range(draw(st.integers(0, 2))):
                ent = draw(st.sampled_from(ents))
                args.append({"role": draw(st.sampled_from(ROLES)), "entity_id": ent["id"]})
        events.append(
            {
                "id": f"t{k}",
                "type": draw(st.sampled_from(TYPES)),
                "trigger": {"start": s, "end": e, "text": text[s:e]},
                "arguments": args,
            }
        )
    return {"task_id": t, "entities": ents, "events": events}


# --- the plain implementation -------------------------------------------------------------------


def plain_f1(tp, n_a, n_b):
    return None if n_a + n_b == 0 else 2 * tp / (n_a + n_b)


def matched(a, b):
    """Multiset intersection by removing matches from a copy, one at a time."""
    rest = list(b)
    tp = 0
    for x in a:
        if x in rest:
            rest.remove(x)
            tp += 1
    return tp


def best_matching(a, b):
    """Maximum one-to-one matching of same-label overlapping spans, by trying every choice."""
    if not a:
        return 0
    (la, sa, ea), others = a[0], a[1:]
    best = best_matching(others, b)  # a[0] left unmatched
    for j, (lb, sb, eb) in enumerate(b):
        if la == lb and sa < eb and sb < ea:
            best = max(best, 1 + best_matching(others, b[:j] + b[j + 1 :]))
    return best


def ents(doc):
    return [(e["label"], e["start"], e["end"]) for e in doc["entities"]]


def trigs(doc):
    return [(v["type"], v["trigger"]["start"], v["trigger"]["end"]) for v in doc["events"]]


def args(doc):
    span = {e["id"]: (e["start"], e["end"]) for e in doc["entities"]}
    return [
        (v["type"], v["trigger"]["start"], v["trigger"]["end"], a["role"], *span[a["entity_id"]])
        for v in doc["events"]
        for a in v["arguments"]
    ]


def token_labels(text, doc, pattern=r"\S+"):
    """Per token (whitespace-separated by default): the outermost entity's label over it, or O."""
    kept = []
    for e in sorted(doc["entities"], key=lambda e: (e["start"] - e["end"], e["start"])):
        if not any(k["start"] < e["end"] and e["start"] < k["end"] for k in kept):
            kept.append(e)
    kept.sort(key=lambda e: e["start"])
    out = []
    for m in re.finditer(pattern, text):
        hit = [e for e in kept if e["start"] < m.end() and m.start() < e["end"]]
        out.append(hit[0]["label"] if hit else "O")
    return out


def plain_kappa(xs, ys):
    n = len(xs)
    if n == 0:
        return None
    po = sum(x == y for x, y in zip(xs, ys, strict=True)) / n
    values = set(xs) | set(ys)
    pe = sum((xs.count(v) / n) * (ys.count(v) / n) for v in values)
    return None if pe >= 1 else (po - pe) / (1 - pe)


def expected(tasks, label_names=LABELS, types=TYPES, token_pattern=r"\S+"):
    """Every figure, the plain way."""
    shared = [t for t in tasks if len(t.versions) >= 2]
    tot = {k: [0, 0, 0] for k in ("exact", "overlap", "trigger", "argument")}
    by_label = {}
    by_type = {}
    pairs = {}
    # annotator -> label -> [exact TP, overlap TP, theirs, the other's], over their pairs
    mine_by_label: dict = {}
    mine_by_type: dict = {}  # annotator -> type -> [trigger TP, n, argument TP, n]
    columns = []  # reliability data: one column per token, one row per annotator
    names = sorted({n for t in shared for n in t.versions})
    for t in shared:
        who = sorted(t.versions)
        labels = {n: token_labels(t.text, t.versions[n], token_pattern) for n in who}
        for i in range(len(labels[who[0]])):
            columns.append({n: labels[n][i] for n in who})
        for a, b in combinations(who, 2):
            da, db = t.versions[a], t.versions[b]
            p = pairs.setdefault(
                (a, b),
                {"docs": 0, "e": [0, 0, 0], "t": [0, 0, 0], "g": [0, 0, 0], "xa": [], "xb": []},
            )
            p["docs"] += 1
            p["xa"] += labels[a]
            p["xb"] += labels[b]
            for key, fa, fb, m in (
                ("exact", ents(da), ents(db), matched),
                ("overlap", ents(da), ents(db), best_matching),
                ("trigger", trigs(da), trigs(db), matched),
                ("argument", args(da), args(db), matched),
            ):
                c = (m(fa, fb), len(fa), len(fb))
                tot[key] = [x + y for x, y in zip(tot[key], c, strict=True)]
                short = {"exact": "e", "trigger": "t", "argument": "g"}.get(key)
                if short:
                    p[short] = [x + y for x, y in zip(p[short], c, strict=True)]
            for label in label_names:
                la = [x for x in ents(da) if x[0] == label]
                lb = [x for x in ents(db) if x[0] == label]
                if la or lb:
                    d = by_label.setdefault(label, [0, 0, 0, 0])
                    d[0] += matched(la, lb)
                    d[1] += best_matching(la, lb)
                    d[2] += len(la) + len(lb)
                    for me, xs, ys in ((a, la, lb), (b, lb, la)):
                        m = mine_by_label.setdefault(me, {}).setdefault(label, [0, 0, 0, 0])
                        m[0] += matched(xs, ys)
                        m[1] += best_matching(xs, ys)
                        m[2] += len(xs)
                        m[3] += len(ys)
            for typ in types:
                ta = [x for x in trigs(da) if x[0] == typ]
                tb = [x for x in trigs(db) if x[0] == typ]
                ga = [x for x in args(da) if x[0] == typ]
                gb = [x for x in args(db) if x[0] == typ]
                if ta or tb or ga or gb:
                    d = by_type.setdefault(typ, [0, 0, 0, 0])
                    d[0] += matched(ta, tb)
                    d[1] += len(ta) + len(tb)
                    d[2] += matched(ga, gb)
                    d[3] += len(ga) + len(gb)
                    for me in (a, b):
                        m = mine_by_type.setdefault(me, {}).setdefault(typ, [0, 0, 0, 0])
                        m[0] += matched(ta, tb)
                        m[1] += len(ta) + len(tb)
                        m[2] += matched(ga, gb)
                        m[3] += len(ga) + len(gb)
    kappas = {k: plain_kappa(p["xa"], p["xb"]) for k, p in pairs.items()}
    defined = [k for k in kappas.values() if k is not None]
    return {
        "documents": len(shared),
        "annotators": names,
        "exact": plain_f1(*tot["exact"]),
        "precision": None if tot["exact"][1] == 0 else tot["exact"][0] / tot["exact"][1],
        "recall": None if tot["exact"][2] == 0 else tot["exact"][0] / tot["exact"][2],
        "overlap": plain_f1(*tot["overlap"]),
        "trigger": plain_f1(*tot["trigger"]),
        "argument": plain_f1(*tot["argument"]),
        "by_label": {k: (2 * v[0] / v[2], 2 * v[1] / v[2]) for k, v in by_label.items()},
        "by_type": {
            k: (plain_f1(v[0], v[1], 0), plain_f1(v[2], v[3], 0)) for k, v in by_type.items()
        },
        "pairs": {
            k: (p["docs"], plain_f1(*p["e"]), kappas[k], plain_f1(*p["t"]), plain_f1(*p["g"]))
            for k, p in pairs.items()
        },
        "kappa_mean": sum(defined) / len(defined) if defined else None,
        "by_annotator": {
            n: {
                "entities": {
                    label: (plain_f1(v[0], v[2], v[3]), plain_f1(v[1], v[2], v[3]), v[2], v[3])
                    for label, v in mine_by_label.get(n, {}).items()
                },
                "events": {
                    typ: (plain_f1(v[0], v[1], 0), plain_f1(v[2], v[3], 0))
                    for typ, v in mine_by_type.get(n, {}).items()
                },
            }
            for n in sorted(set(mine_by_label) | set(mine_by_type))
        },
        "alpha": package_alpha(columns, names, label_names),
    }


def package_alpha(columns, names, labels):
    """The krippendorff package on the annotators x tokens matrix (NaN where not annotated)."""
    values = ["O", *labels]
    data = np.full((len(names), len(columns)), np.nan)
    for j, col in enumerate(columns):
        for n, v in col.items():
            data[names.index(n), j] = values.index(v)
    if not columns or len({v for c in columns for v in c.values()}) < 2:
        return None
    a = krippendorff.alpha(
        reliability_data=data, level_of_measurement="nominal", value_domain=list(range(len(values)))
    )
    return None if math.isnan(a) else a


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def measured(tasks):
    agr = Agreement(LABELS, TYPES)
    for t in tasks:
        agr.add(t)
    return agr, agr.result()


def check_all(tasks):
    agr, got = measured(tasks)
    want = expected(tasks)
    assert got["documents"] == want["documents"]
    assert got["annotators"] == want["annotators"]
    e, v = got["entities"], got["events"]
    assert close(e["exact"]["f1"], want["exact"])
    assert close(e["exact"]["precision"], want["precision"])
    assert close(e["exact"]["recall"], want["recall"])
    assert close(e["overlap"]["f1"], want["overlap"])
    assert close(v["trigger"]["f1"], want["trigger"])
    assert close(v["argument"]["f1"], want["argument"])
    assert close(e["token_alpha"], want["alpha"])
    assert close(e["token_kappa_mean"], want["kappa_mean"])
    assert set(e["by_label"]) == set(want["by_label"])
    for label, (ex, ov) in want["by_label"].items():
        assert close(e["by_label"][label]["exact_f1"], ex)
        assert close(e["by_label"][label]["overlap_f1"], ov)
    assert set(v["by_type"]) == set(want["by_type"])
    for typ, (tf, af) in want["by_type"].items():
        assert close(v["by_type"][typ]["trigger_f1"], tf)
        assert close(v["by_type"][typ]["argument_f1"], af)
    pairs = {(p["a"], p["b"]): p for p in got["pairs"]}
    assert set(pairs) == set(want["pairs"])
    for k, (docs, ef, kappa, tf, af) in want["pairs"].items():
        p = pairs[k]
        assert p["documents"] == docs
        assert close(p["entities_exact_f1"], ef)
        assert close(p["token_kappa"], kappa)
        assert close(p["trigger_f1"], tf)
        assert close(p["argument_f1"], af)
    mine = got["by_annotator"]
    assert set(mine) == set(want["by_annotator"])
    for n, w in want["by_annotator"].items():
        assert set(mine[n]["entities"]) == set(w["entities"])
        for label, (ex, ov, m, t) in w["entities"].items():
            r = mine[n]["entities"][label]
            assert close(r["exact_f1"], ex) and close(r["overlap_f1"], ov)
            assert (r["mine"], r["theirs"]) == (m, t)
        assert set(mine[n]["events"]) == set(w["events"])
        for typ, (tf, af) in w["events"].items():
            r = mine[n]["events"][typ]
            assert close(r.get("trigger_f1"), tf) and close(r.get("argument_f1"), af)
    return agr, got


@settings(max_examples=150)
def _doc(text, entities=(), events=()):
    return {
        "entities": [
            {"id": f"e{k}", "start": s, "end": e, "text": text[s:e], "label": label}
            for k, (label, s, e) in enumerate(entities)
        ],
        "events": list(events),
    }


TEXT = "قتل رجل في بغداد"
