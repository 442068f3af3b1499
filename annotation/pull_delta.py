"""Incremental pull: only the tasks that changed since the last snapshot, merged into a new one.

Label Studio exports a project in one request (100,000 tasks: some 100 s), and a team that
pulls every day downloads again, each time, almost only what it has. When the output directory
holds an earlier snapshot of the same project (the latest one whose manifest names this project
and the canonical form), ``akhbar annotate pull`` asks the task listing for what changed since
that snapshot was started and writes a new, whole snapshot: the earlier one with the changes
applied, in the same canonical form as a full export (``snapshot_canon``), so the two cannot be
told apart.

What the server records, and how each is used:

- **Task ``updated_at``.** Label Studio sets it when a task is made or edited, and when one of
  its annotations is made, edited (ground truth, cancelled) or deleted, or a prediction made or
  deleted. The tasks updated after the earlier snapshot's start (less :data:`MARGIN`, for
  requests that were in flight) are listed in full and replace their earlier form.
- **The task id list and counts.** Every task on the server is in the earlier snapshot or among
  the changed ones; if the server has fewer than the two together, some were deleted: they are
  found by comparing, range by range of ids, how many tasks the server has with how many we
  have (a one-task request each), halving the ranges that differ.
- **Checks before publishing.** The merged snapshot's tasks, annotations (cancelled or not) and
  predictions must number what the project's counters say, and a sample of unchanged tasks
  (:data:`SAMPLE`) must be, byte for byte, what the server gives now.

Where the server cannot say, or a check fails, the pull makes a full export and says why in one
line (and in the manifest's ``fallback``): another Label Studio version than the earlier
snapshot's, no clock from the server, a clock that went back, tasks updated in the future,
counts that do not add up, a sample that differs, too many deletions to find one by one.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import os
import random
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from tqdm import tqdm

from akhbar.annotation import pull
from akhbar.annotation.labelstudio import snapshot_canon, task_listing
from akhbar.annotation.labelstudio.client import Client, ServerError
from akhbar.schemas.errors import InputError
from akhbar.schemas.shape import check_shape
from akhbar.schemas.taxonomy import Taxonomy

MARGIN = timedelta(seconds=60)  # changes in flight when the earlier pull started
FUTURE = timedelta(seconds=5)  # the clock skew allowed between the server's Date and its rows
SAMPLE = 20  # unchanged tasks compared with the server
LEAF = 64  # a range of ids this small is listed rather than halved
MAX_QUERIES = 400  # counting requests allowed to find deleted tasks


class Fallback(Exception):
    """The server cannot say what changed (the message says why): make a full export."""


@dataclass
class Base:
    """The earlier snapshot an incremental pull starts from."""

    path: Path
    manifest: dict[str, Any]
    started: datetime  # the server's time when it was pulled


def find_base(out_dir: Path, project_id: int) -> tuple[Base | None, str]:
    """The latest snapshot of this project in ``out_dir`` that an incremental pull can start
    from, or None and why not."""
    found: list[tuple[str, Path, dict[str, Any]]] = []
    for mp in sorted(out_dir.glob("snapshot-*.manifest.json")):
        try:
            m = json.loads(mp.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        project = m.get("project") if isinstance(m, dict) else None
        if not isinstance(project, dict) or project.get("id") != project_id:
            continue
        found.append((str(m.get("created", "")), mp, m))
    if not found:
        return None, ""  # a first pull: a full export, nothing to explain
    _, mp, m = max(found, key=lambda x: x[0])
    if m.get("canonical") != snapshot_canon.CANONICAL or not m.get("server_time"):
        return None, f"{mp.name} is from an older akhbar (not in the canonical form)"
    try:
        check_shape(m, "snapshot_manifest", mp.name, InputError)
        server_time = task_listing.parse_time(m["server_time"])
    except InputError as e:
        return None, f"{e} (not a manifest annotate pull wrote)"
    except ValueError:
        return None, f"{mp.name}: server_time {m['server_time']!r} is not a time"
    snap = mp.with_name(m["snapshot"])
    if not snap.is_file():
        return None, f"{snap.name}, named by {mp.name}, is missing"
    return Base(snap, m, server_time), ""


@dataclass
class Delta:
    """The changed tasks, as canonical lines in a temporary file, by id."""

    f: Any
    where: dict[int, tuple[int, int]] = field(default_factory=dict)

    def add(self, line: bytes, task_id: int) -> None:
        self.where[task_id] = (self.f.tell(), len(line))  # a task listed twice: the last wins
        self.f.write(line)

    def line(self, task_id: int) -> bytes:
        start, n = self.where[task_id]
        self.f.seek(start)
        data = self.f.read(n)
        self.f.seek(0, os.SEEK_END)
        return data


def _check_clock(client: Client, pid: int, base: Base) -> datetime:
    now = task_listing.server_time(client)
    if now is None:
        raise Fallback("the server does not send its time (HTTP Date)")
    if now < base.started - timedelta(seconds=1):
        raise Fallback(
            f"the server's clock ({task_listing.iso(now)}) is behind the time of the earlier "
            f"snapshot ({base.manifest['server_time']}): it was set back"
        )
    newest = task_listing.newest_update(client, pid)
    if newest is not None and newest > now + FUTURE:
        raise Fallback(
            f"a task was updated at {task_listing.iso(newest)}, after the server's time now "
            f"({task_listing.iso(now)}): its clock was set back"
        )
    return now


def _deleted(client: Client, pid: int, ids: list[int], server_tasks: int) -> tuple[set[int], int]:
    """The ids in ``ids`` (sorted) that the server no longer has, found by counting tasks in
    ranges of ids; and the number of requests it took."""
    gone: set[int] = set()
    queries = 0
    missing = len(ids) - server_tasks
    stack = [(0, len(ids))]
    while stack and len(gone) < missing:
        lo, hi = stack.pop()
        if queries >= MAX_QUERIES:
            raise Fallback(
                f"{missing} tasks were deleted: too many to find one by one ({MAX_QUERIES} "
                f"requests)"
            )
        queries += 1
        if hi - lo <= LEAF:
            there = set(task_listing.ids_between(client, pid, ids[lo], ids[hi - 1]))
            gone.update(i for i in ids[lo:hi] if i not in there)
            continue
        if task_listing.count_between(client, pid, ids[lo], ids[hi - 1]) == hi - lo:
            continue
        mid = (lo + hi) // 2
        stack += [(mid, hi), (lo, mid)]
    return gone, queries


def _annotation_ids(line: bytes) -> dict[int, bytes]:
    task = orjson.loads(line)
    return {a["id"]: orjson.dumps(a) for a in task.get("annotations") or []}


def incremental(
    client: Client,
    project: dict[str, Any],
    base: Base,
    out_dir: Path,
    tax: Taxonomy | None,
    progress: bool = False,
) -> pull.Snapshot:
    """A new snapshot: ``base`` with what changed on the server since (see the module doc).
    Raises :class:`Fallback` when the server cannot say what changed."""
    t0 = time.perf_counter()
    pid = project["id"]
    version = client.version()
    if version is None or version != base.manifest.get("label_studio_version"):
        raise Fallback(
            f"the server runs Label Studio {version or '(unknown version)'}, the earlier "
            f"snapshot was pulled from {base.manifest.get('label_studio_version')}"
        )
    started = _check_clock(client, pid, base)
    took: dict[str, float] = {}
    mark = time.perf_counter()
    idx = snapshot_canon.index(base.path)
    took["index"], mark = time.perf_counter() - mark, time.perf_counter()
    if idx.sha256 != base.manifest.get("sha256"):
        raise Fallback(f"{base.path.name} is not the file its manifest describes (sha256)")

    out, output = pull.new_output(out_dir)
    with output, tempfile.TemporaryFile(dir=out, prefix=".delta-") as df:
        delta = Delta(df)
        listed = tqdm(desc="changed tasks", unit=" tasks", disable=not progress, leave=False)
        with contextlib.closing(listed):
            for task in task_listing.changed_since(client, pid, base.started - MARGIN):
                line = snapshot_canon.dumps(task)
                delta.add(line, task["id"])
                listed.update()
        took["listing"], mark = time.perf_counter() - mark, time.perf_counter()
        info = client.project(pid)
        server = {
            k: info.get(k)
            for k in (
                "task_number",
                "total_annotations_number",
                "skipped_annotations_number",
                "total_predictions_number",
            )
        }
        if not all(isinstance(v, int) for v in server.values()):
            raise Fallback(f"the project's counters are not all given ({server})")

        base_ids = idx.ids
        new_ids = sorted(i for i in delta.where if not _in(base_ids, i))
        union = _merge_sorted(base_ids, new_ids)
        if len(union) < server["task_number"]:
            raise Fallback(
                f"the server has {server['task_number']} tasks, the earlier snapshot and the "
                f"changes {len(union)}: some task was not seen"
            )
        gone, _ = _deleted(client, pid, union, server["task_number"])
        took["counts_and_deletions"], mark = time.perf_counter() - mark, time.perf_counter()
        writer, stats = _write_merged(output.path, idx, delta, union, gone, base.manifest)
        took["merge"], mark = time.perf_counter() - mark, time.perf_counter()
        got = writer.counts
        want = {
            "tasks": server["task_number"],
            "annotations": server["total_annotations_number"]
            + server["skipped_annotations_number"],
            "cancelled_annotations": server["skipped_annotations_number"],
            "predictions": server["total_predictions_number"],
        }
        have = {k: getattr(got, k) for k in want}
        if have != want:
            diff = ", ".join(
                f"{k} {have[k]} (server {want[k]})" for k in want if have[k] != want[k]
            )
            raise Fallback(f"the merged snapshot does not add up to the server's counts: {diff}")
        sampled = _check_sample(client, pid, idx, delta, gone)
        took["sample"] = time.perf_counter() - mark
        sha, size = writer.sha.hexdigest(), writer.size
        now = datetime.now(UTC)
        final, manifest_path, existed = pull.publish(output, out, sha, now)
        if existed:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            return pull.Snapshot(final, manifest_path, manifest)

    fields: dict[str, Any] = {
        "sha256": sha,
        "bytes": size,
        "created": pull._iso(now),
        "method": "incremental",
        "label_studio_version": version,
        "server_time": pull._iso(started),
        "base": {"snapshot": base.path.name, "sha256": base.manifest["sha256"]},
        "delta": stats,
        "verified": {"counts": True, "sample": sampled},
        "counts": got.as_dict(),
        "seconds": round(time.perf_counter() - t0, 3),
        "seconds_by_step": {k: round(v, 3) for k, v in took.items()},
    }
    return pull.write_manifest(client, project, final, tax, fields)


def _in(ids: Any, i: int) -> bool:
    k = bisect.bisect_left(ids, i)
    return k < len(ids) and ids[k] == i


def _merge_sorted(a: Any, b: list[int]) -> list[int]:
    out: list[int] = []
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] < b[j]:
            out.append(a[i])
            i += 1
        else:
            out.append(b[j])
            j += 1
    out.extend(a[i:])
    out.extend(b[j:])
    return out


def _write_merged(
    tmp: Path,
    idx: snapshot_canon.Index,
    delta: Delta,
    union: list[int],
    gone: set[int],
    base_manifest: dict[str, Any],
) -> tuple[snapshot_canon.Writer, dict[str, dict[str, int]]]:
    """Write the merged snapshot into ``tmp``: runs of unchanged lines copied from the base as
    they are, changed and new tasks from the delta. Counts: the base's, less the tasks
    replaced or removed, plus the delta's."""
    t = {"added": 0, "changed": 0, "removed": 0}
    a = {"added": 0, "changed": 0, "removed": 0}
    with tmp.open("wb") as f, idx.path.open("rb") as bf:
        writer = snapshot_canon.Writer(f)
        c = writer.counts
        for k, v in base_manifest["counts"].items():
            setattr(c, k, v)
        run = None  # first index in the base of a run of unchanged tasks not yet copied

        def flush(upto: int) -> None:  # copy base lines run..upto-1
            nonlocal run
            if run is not None and run < upto:
                end = idx.starts[upto - 1] + idx.lengths[upto - 1]
                ids = idx.ids
                snapshot_canon.copy_run(bf, idx.starts[run], end, writer, ids[run], ids[upto - 1])
            run = None

        k = 0  # position in the base
        for tid in union:
            old = None
            if k < len(idx.ids) and idx.ids[k] == tid:
                k += 1
                if tid not in delta.where and tid not in gone:
                    run = k - 1 if run is None else run
                    continue
                flush(k - 1)
                bf.seek(idx.starts[k - 1])
                old = bf.read(idx.lengths[k - 1])
                c.add(orjson.loads(old), -1)
            else:
                flush(k)
            if tid in gone:  # deleted (perhaps after being listed as changed)
                if old is not None:
                    t["removed"] += 1
                    a["removed"] += len(_annotation_ids(old))
                continue
            line = delta.line(tid)
            new_task = orjson.loads(line)
            c.add(new_task)
            writer.write_line(line, tid)
            if old is None:
                t["added"] += 1
                a["added"] += len(new_task.get("annotations") or [])
            elif old != line:
                t["changed"] += 1
                before, after = _annotation_ids(old), _annotation_ids(line)
                a["added"] += len(after.keys() - before.keys())
                a["removed"] += len(before.keys() - after.keys())
                a["changed"] += sum(before[i] != after[i] for i in before.keys() & after.keys())
        flush(k)
        writer.finish()
        f.flush()
        os.fsync(f.fileno())
    return writer, {"tasks": t, "annotations": a}


def _check_sample(
    client: Client, pid: int, idx: snapshot_canon.Index, delta: Delta, gone: set[int]
) -> int:
    """Compare up to SAMPLE unchanged tasks with what the server gives now; Fallback if one
    differs. The number compared."""
    unchanged = [k for k in range(len(idx.ids)) if idx.ids[k] not in delta.where]
    unchanged = [k for k in unchanged if idx.ids[k] not in gone]
    picked = sorted(random.sample(unchanged, min(SAMPLE, len(unchanged))))
    if not picked:
        return 0
    ids = [idx.ids[k] for k in picked]
    lines = snapshot_canon.read_lines(
        idx.path, [idx.starts[k] for k in picked], [idx.lengths[k] for k in picked]
    )
    ours = dict(zip(ids, lines, strict=True))
    theirs = {t["id"]: snapshot_canon.dumps(t) for t in task_listing.tasks_by_id(client, pid, ids)}
    for tid in ids:
        if theirs.get(tid) != ours[tid]:
            raise Fallback(
                f"task {tid} is not on the server as in the earlier snapshot, though its "
                f"updated_at did not change"
            )
    return len(ids)


def pull_latest(
    client: Client,
    project_title: str,
    out_dir: str | Path,
    tax: Taxonomy | None = None,
    poll_timeout: float = 3600.0,
    progress: bool = False,
) -> pull.Snapshot:
    """An incremental pull from the latest snapshot of the project in ``out_dir``; a full
    export if there is none, or if the server cannot say what changed (the manifest's
    ``fallback`` says why)."""
    project = pull.find_project(client, project_title)
    out = Path(out_dir)
    base, why = find_base(out, project["id"]) if out.is_dir() else (None, "")
    if base is not None:
        try:
            return incremental(client, project, base, out, tax, progress)
        except Fallback as e:
            why = str(e)
        except ServerError as e:  # an older server refuses the listing's query
            why = f"the task listing failed ({e})"
        except InputError as e:
            why = str(e)
    return pull.pull(client, project_title, out, tax, poll_timeout, progress, fallback=why or None)
