"""Pull a project's full JSON export into an immutable, content-addressed snapshot.

Only Label Studio's ``JSON`` export keeps everything: ``JSON_MIN`` and ``CONLL`` drop the
relations, so the events' arguments would be lost. The export is made as an export snapshot
on the server (``POST /api/projects/{id}/exports``, polled until done), with predictions
expanded and every annotation kept (usual, ground truth and skipped), then streamed, parsed
task by task as it arrives and checked against the server's MD5, and each task written in
the canonical form (``labelstudio.snapshot_canon``: one task per line, by id) to a temporary
file in the output directory. Servers that cannot make snapshots are asked for the direct
export (``GET /api/projects/{id}/export?exportType=JSON&download_all_tasks=true``) instead.
The manifest records the server's time when the pull started: an incremental pull
(``pull_delta``) asks for what changed after it.

The snapshot is named by time and content hash, ``snapshot-<UTC time>-<sha256[:12]>.json``,
and linked into place (a hard link, which fails rather than replace an existing file), so a
snapshot is never half-written and never overwritten. A manifest beside it,
``snapshot-…manifest.json``, records the project, the config hash, the taxonomy, the counts,
the Label Studio version and the snapshot's sha256. The API token is in neither.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import ijson
from tqdm import tqdm

from akhbar.annotation.labelstudio import labelconfig, snapshot_canon, task_listing
from akhbar.annotation.labelstudio.client import Client, Connection, ServerError
from akhbar.corpus.file_digest import sha256_file
from akhbar.corpus.runtime.option_fields import opt
from akhbar.corpus.runtime.publish import Output, publishing
from akhbar.schemas import taxonomy
from akhbar.schemas.errors import IntegrityError, OutputError, UsageError
from akhbar.schemas.taxonomy import Taxonomy

EXPORT_OPTIONS: dict[str, Any] = {
    "serialization_options": {
        "predictions": {"only_id": False},
        "include_annotation_history": False,
    },
    "annotation_filter_options": {"usual": True, "ground_truth": True, "skipped": True},
    "task_filter_options": {},
}


@dataclass
class Snapshot:
    path: Path
    manifest_path: Path
    manifest: dict[str, Any]

    def lines(self) -> list[str]:
        m = self.manifest
        c = m["counts"]
        out = [
            f"snapshot {self.path} ({m['bytes']} bytes, sha256 {m['sha256'][:12]}…)",
            f"project {m['project']['title']!r} (id {m['project']['id']}): {c['tasks']} tasks, "
            f"{c['annotations']} annotations ({c['cancelled_annotations']} skipped), "
            f"{c['predictions']} predictions; {m['seconds']:.1f} s via {m['method']}",
            f"manifest {self.manifest_path}",
        ]
        if m.get("base"):
            d = m["delta"]
            t, a = d["tasks"], d["annotations"]
            out.insert(
                2,
                f"incremental from {m['base']['snapshot']}: tasks +{t['added']} ~{t['changed']} "
                f"-{t['removed']}, annotations +{a['added']} ~{a['changed']} -{a['removed']}",
            )
        if m.get("fallback"):
            out.insert(2, f"full export: {m['fallback']}")
        if m.get("taxonomy") and not m["taxonomy"]["config_matches"]:
            out.append(
                f"warning: the project's config is not the one {m['taxonomy']['name']}@"
                f"{m['taxonomy']['version']} generates; validate with the taxonomy it was made with"
            )
        return out


def _utc_stamp(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ")


class ExportCheck:
    """Digests and counts of a JSON export, computed from its bytes as they arrive.

    Each task is parsed on its own (ijson) and dropped once counted, so memory does not
    grow with the export. ``finish`` raises IntegrityError if the bytes are not one JSON
    array of tasks.
    """

    def __init__(self, name: str, on_task: Callable[[Any], None] | None = None) -> None:
        self.name = name
        self.on_task = on_task
        self.sha = hashlib.sha256()
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.counts = dict.fromkeys(
            ("tasks", "tasks_with_annotations", "annotations", "cancelled_annotations"), 0
        )
        self.counts["predictions"] = 0
        self._items = ijson.sendable_list()
        self._parser = ijson.items_coro(self._items, "item", use_float=True)
        self._started = False

    def feed(self, chunk: bytes) -> None:
        self.sha.update(chunk)
        self.md5.update(chunk)
        if not self._started and chunk.strip():
            head = chunk.lstrip().removeprefix(b"\xef\xbb\xbf").lstrip()
            if head[:1] != b"[":
                raise IntegrityError(
                    f"{self.name}: the export is not a JSON array of tasks (it starts with "
                    f"{head[:20]!r}); pull again, or check the server"
                )
            self._started = True
        try:
            self._parser.send(chunk)
        except ijson.JSONError as e:
            raise IntegrityError(f"{self.name}: the export is not valid JSON ({e})") from None
        for task in self._items:
            self._count(task)
        del self._items[:]

    def _count(self, task: Any) -> None:
        c = self.counts
        if not isinstance(task, dict) or "data" not in task:
            raise IntegrityError(f"{self.name}: item {c['tasks']} is not a task")
        anns = task.get("annotations") or []
        c["tasks"] += 1
        c["tasks_with_annotations"] += bool(anns)
        c["annotations"] += len(anns)
        c["cancelled_annotations"] += sum(bool(a.get("was_cancelled")) for a in anns)
        c["predictions"] += len(task.get("predictions") or [])
        if self.on_task is not None:
            self.on_task(task)

    def finish(self) -> dict[str, int]:
        try:
            self._parser.close()
        except ijson.JSONError as e:
            raise IntegrityError(
                f"{self.name}: the export is cut short or not valid JSON ({e})"
            ) from None
        if not self._started:
            raise IntegrityError(f"{self.name}: the export is empty; pull again")
        for task in self._items:
            self._count(task)
        return self.counts


def count_export(path: Path) -> dict[str, int]:
    """Counts of a JSON export file, read as a stream; IntegrityError if it is not one."""
    check = ExportCheck(str(path))
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            check.feed(chunk)
    return check.finish()


class _Download:
    """Where the bytes of one download go: the checker, which hands each task to the writer of
    the canonical snapshot in ``f`` (``snapshot_canon``), and the progress bar. The export's
    own bytes are not kept: they are digested as they pass (MD5 for the server's check)."""

    def __init__(self, name: str, f: IO[bytes], progress: bool) -> None:
        self.name = name
        self.f = f
        self.bar = tqdm(unit="B", unit_scale=True, desc="pull", disable=not progress, leave=False)
        self.start()

    def start(self) -> None:  # called before each try: a retried download starts afresh
        self.f.seek(0)
        self.f.truncate()
        self.writer = snapshot_canon.Writer(self.f)
        self.check = ExportCheck(self.name, self.writer.write_task)
        self.bar.reset()

    def chunk(self, data: bytes) -> None:
        self.check.feed(data)
        self.bar.update(len(data))


class _Passing:
    """The file the download writes into: nothing is kept (see :class:`_Download`)."""

    def __init__(self) -> None:
        self.size = 0

    def seek(self, pos: int) -> int:
        self.size = pos
        return pos

    def truncate(self) -> None:
        pass

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)

    def tell(self) -> int:
        return self.size


def _export_snapshot(
    client: Client, pid: int, out, poll_timeout: float, sink: _Download
) -> tuple[str, int]:
    """Make an export snapshot on the server and stream it into ``out``: (method, export id)."""
    stamp = _utc_stamp(datetime.now(UTC))
    info = client.create_export(
        pid, deadline=poll_timeout, title=f"akhbar pull {stamp}", **EXPORT_OPTIONS
    )
    eid = info["id"]
    deadline = time.monotonic() + poll_timeout
    waited = tqdm(
        desc="export on the server",
        bar_format="{desc}: {elapsed}",
        disable=sink.bar.disable,
        leave=False,
    )
    pause = 0.1
    try:
        while info.get("status") not in ("completed", "failed"):
            if time.monotonic() > deadline:
                raise OutputError(
                    f"{client.url}: export {eid} of project {pid} not finished after "
                    f"{poll_timeout:.0f} s; try again later or raise --timeout"
                )
            time.sleep(pause)
            pause = min(pause * 1.5, 2.0)  # a small export is done in a moment
            waited.update()
            info = client.export_info(pid, eid)
    finally:
        waited.close()
    if info["status"] == "failed":
        raise ServerError(f"{client.url}: export {eid} failed on the server", 500, "failed")
    client.download_export(pid, out, eid, on_start=sink.start, on_chunk=sink.chunk)
    md5 = sink.check.md5.hexdigest()
    if info.get("md5") and info["md5"] != md5:
        raise IntegrityError(
            f"{client.url}: export {eid} downloaded with MD5 {md5}, the server says "
            f"{info['md5']}; the download was damaged: pull again"
        )
    return "snapshot", eid


def _export_direct(client: Client, pid: int, out, sink: _Download, wait: float) -> str:
    # the server builds the whole export before its first byte: the same wait as a snapshot
    client.download_export(pid, out, on_start=sink.start, on_chunk=sink.chunk, deadline=wait)
    return "direct"


def _write_new(path: Path, data: bytes) -> None:
    with publishing(path, directory=False, mode=0o444, what="file") as output:
        output.path.write_bytes(data)


def find_project(client: Client, project_title: str) -> dict[str, Any]:
    project = client.find_project(project_title)
    if project is None:
        raise UsageError(
            f"{client.url} has no project titled {project_title!r}; push one with "
            f"`akhbar annotate push CORPUS_DIR --project {project_title!r}`"
        )
    return project


def new_output(out_dir: str | Path) -> tuple[Path, Output]:
    """The output directory, made if needed, and the temporary of a new snapshot in it."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"{out}: cannot create the output directory ({e.strerror})") from e
    # The final name holds the content's hash: known once the snapshot is written.
    return out, Output(out / "snapshot.json", directory=False, mode=0o444, what="snapshot")


def publish(output: Output, out: Path, sha: str, now: datetime) -> tuple[Path, Path, bool]:
    """Publish the written snapshot as ``snapshot-<time>-<sha>.json``: (its path, its manifest's
    path, whether it was there already with this content and a manifest)."""
    final = out / f"snapshot-{_utc_stamp(now)}-{sha[:12]}.json"
    manifest_path = final.with_name(final.name.removesuffix(".json") + ".manifest.json")
    if final.exists():
        # Same time and same hash: the same project pulled twice within a second. Keep the
        # file that is there; anything else under this name is not ours to replace.
        if sha256_file(final).sha256 != sha:
            raise OutputError(
                f"{final} exists with other content; snapshots are never overwritten: "
                f"move it away or pull into another directory"
            )
        output.abort()
        return final, manifest_path, manifest_path.exists()
    output.target = final  # read-only, never overwritten: immutable by intent
    output.commit()
    return final, manifest_path, False


def write_manifest(
    client: Client,
    project: dict[str, Any],
    final: Path,
    tax: Taxonomy | None,
    fields: dict[str, Any],
) -> Snapshot:
    """The manifest beside a snapshot: ``fields`` (sha256, bytes, counts, method, ...) and what
    every snapshot records (project, config, taxonomy, server version)."""
    config = project.get("label_config") or ""
    manifest: dict[str, Any] = {
        "snapshot": final.name,
        "sha256": fields.pop("sha256"),
        "bytes": fields.pop("bytes"),
        "created": fields.pop("created"),
        "format": "label-studio JSON export",
        "canonical": snapshot_canon.CANONICAL,
        "method": fields.pop("method"),
        "project": {"id": project["id"], "title": project.get("title")},
        "label_config_sha256": labelconfig.config_sha256(config),
        "label_studio_version": fields.pop("label_studio_version", None) or client.version(),
        **fields,
        # user id -> e-mail: the export names annotators by id; reports name them by e-mail
        "annotators": {str(u["id"]): u["email"] for u in client.users() if u.get("email")},
    }
    if tax is not None:
        manifest["taxonomy"] = {
            "name": tax.name,
            "version": tax.version,
            "sha256": tax.sha256,
            "config_matches": labelconfig.label_config(tax) == config,
        }
    manifest_path = final.with_name(final.name.removesuffix(".json") + ".manifest.json")
    _write_new(
        manifest_path,
        (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
    )
    return Snapshot(final, manifest_path, manifest)


def _iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def pull(
    client: Client,
    project_title: str,
    out_dir: str | Path,
    tax: Taxonomy | None = None,
    poll_timeout: float = 3600.0,
    progress: bool = False,
    fallback: str | None = None,
) -> Snapshot:
    """Download the project's full JSON export into a new snapshot in ``out_dir``.

    The export is parsed as it arrives and each task written in the canonical form
    (``snapshot_canon``) to a temporary file beside the snapshot, checked (digests, counts,
    JSON) on the way, so memory stays flat however large the project. ``fallback``: why a
    full export was made where an incremental pull was asked for (kept in the manifest).
    """
    t0 = time.perf_counter()
    project = find_project(client, project_title)
    pid = project["id"]
    started = task_listing.server_time(client)  # where the next incremental pull starts from
    version = client.version()
    out, output = new_output(out_dir)
    tmp = output.path
    with output, open(tmp, "w+b") as f:
        sink = _Download(str(tmp), f, progress)
        with contextlib.closing(sink.bar):
            raw = _Passing()
            eid = None
            try:
                method, eid = _export_snapshot(client, pid, raw, poll_timeout, sink)
            except ServerError:
                method = _export_direct(client, pid, raw, sink, poll_timeout)
        if eid is not None:
            with contextlib.suppress(ServerError, OutputError):
                client.delete_export(pid, eid)  # its tasks live on in our snapshot
        counts = sink.check.finish()
        writer = sink.writer
        writer.finish()
        if not writer.sorted:  # Label Studio exports by id; should one not, sort the lines
            writer = snapshot_canon.sort_lines(tmp, f)
        f.flush()
        os.fsync(f.fileno())
        sha, size = writer.sha.hexdigest(), writer.size
        now = datetime.now(UTC)
        final, manifest_path, existed = publish(output, out, sha, now)
        if existed:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            return Snapshot(final, manifest_path, manifest)

    fields: dict[str, Any] = {
        "sha256": sha,
        "bytes": size,
        "created": _iso(now),
        "method": method,
        "label_studio_version": version,
        "server_time": _iso(started) if started else None,
        "counts": counts,
        "seconds": round(time.perf_counter() - t0, 3),
    }
    if fallback:
        fields["fallback"] = fallback
    return write_manifest(client, project, final, tax, fields)


@dataclass(slots=True)
class PullOptions:
    """What ``akhbar annotate pull`` is asked to do (see :func:`pull_project`). The server
    and its API key are not options: they come as a :class:`Connection`, kept apart so that
    a secret is never part of what is logged or shown."""

    project: str = opt("Project title.")
    out: Path = opt("Directory for the new snapshot and its manifest.")
    taxonomy: Taxonomy | Path | None = opt(default=None)
    poll_timeout: float = opt("Seconds to wait for the export.", 3600.0, flag="--timeout")
    progress: bool = opt(default=False, cli_default=True)  # a bar on the command line
    full: bool = opt("Export the whole project even if --out holds a snapshot of it.", False)


def pull_project(conn: Connection, opts: PullOptions) -> Snapshot:
    """``akhbar annotate pull``: one snapshot of the project in ``opts.out``: only what changed
    since the latest snapshot there (``pull_delta``), or, with ``full`` or none, a whole export."""
    from akhbar.annotation import pull_delta  # it builds on this module

    tax = taxonomy.load(opts.taxonomy)
    with Client.connect(conn) as client:
        if opts.full:
            return pull(client, opts.project, opts.out, tax, opts.poll_timeout, opts.progress)
        return pull_delta.pull_latest(
            client, opts.project, opts.out, tax, opts.poll_timeout, opts.progress
        )
