"""The bundled sample with a second annotator on three articles, made for agreement tests."""

from __future__ import annotations

import copy
import json

import orjson

from akhbar.cli.demo import SAMPLE_EXPORT, SAMPLE_RAW
from akhbar.corpus.pipeline import CorpusBuildOptions, build_corpus


def make_sample(root):
    """The sample corpus and an export with a second annotator on three articles."""
    build_corpus(CorpusBuildOptions([SAMPLE_RAW], root / "corpus", workers=1, progress=False))
    tasks = json.loads(SAMPLE_EXPORT.read_text(encoding="utf-8"))
    for t in tasks:  # the first annotator only: the bundled second one is the demo's
        t["annotations"] = [a for a in t["annotations"] if a["completed_by"] == 1]
    changed = 0
    for t in tasks[:3]:
        a = copy.deepcopy(t["annotations"][0])
        a.update(id=9000 + t["id"], completed_by=77, ground_truth=False)
        used = {
            r.get(k) for r in a["result"] if r["type"] == "relation" for k in ("from_id", "to_id")
        }
        free = [r for r in a["result"] if r.get("from_name") == "entity" and r["id"] not in used]
        a["result"].remove(free[0])
        per = [r for r in free[1:] if r["value"]["labels"] == ["PER"]]
        if per:
            per[0]["value"]["labels"] = ["ORG"]
            changed += 1
        t["annotations"].append(a)
    bad = copy.deepcopy(tasks[3]["annotations"][0])
    bad.update(id=9999, completed_by=77)
    bad["result"][0]["value"]["end"] += 1  # value.text no longer the text at the offsets
    tasks[3]["annotations"].append(bad)
    snap = root / "snapshot.json"
    snap.write_bytes(orjson.dumps(tasks))
    return root, snap, tasks, changed
