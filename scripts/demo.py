"""``akhbar demo``: the whole pipeline on the bundled sample, end to end, in one directory.

corpus build (``corpus/sample/raw``) -> a local Label Studio (started by the same code as
``akhbar studio up``) -> push the corpus with the sample's own annotations
(``corpus/sample/annotations.jsonl``) imported as finished annotations, and a second
annotator's version of six articles (``annotations_second.jsonl``) posted as a second user ->
pull a snapshot -> validate -> agreement -> adjudicate (the proposals posted back as
predictions) -> audit -> review tabs and feedback (with a server) -> release ``v1.0.0`` with its agreement and audit -> verify it -> load
every config with ``datasets.load_dataset`` offline -> a summary a person can read.

Without Label Studio (``offline=True``, or the server cannot start) the push and pull are
skipped and the bundled export ``corpus/sample/labelstudio_export.json`` (a snapshot pulled
from a real server by this very code) is validated instead; everything after is the same.

Every run starts from an empty ``out_dir``. A directory is emptied only if an earlier demo made
it (it holds ``.akhbar-demo``), so a mistyped ``--out`` never deletes anything else.

The demo project is reused as it is on a second run: push adds nothing (every article is
already a task) and the pull takes the annotations as they are in Label Studio, so an edit made
in the browser shows up in the next release. ``fresh=True`` deletes the project first and
imports the bundled annotations again.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from akhbar import corpus
from akhbar.annotation.audit.run import AuditOptions, run_audit
from akhbar.annotation.labelstudio import server, server_url
from akhbar.annotation.labelstudio.client import Client, Connection, transport_errors
from akhbar.annotation.pull import PullOptions, count_export, pull_project
from akhbar.annotation.push.corpus_push import PushOptions, PushReport, push_corpus
from akhbar.annotation.team import adjudicate, teammates
from akhbar.annotation.team import report as agreement_report
from akhbar.annotation.team.review_tabs import ReviewOptions, ReviewReport, review_project
from akhbar.annotation.team.run import AgreementOptions, run_agreement
from akhbar.annotation.validate.run import ValidateOptions, validate_snapshot
from akhbar.corpus.pipeline import CorpusBuildOptions, build_corpus
from akhbar.schemas import taxonomy
from akhbar.schemas.errors import AkhbarError, InputError, IntegrityError, UsageError

SAMPLE_DIR = Path(corpus.__file__).resolve().parent / "sample"
SAMPLE_RAW = SAMPLE_DIR / "raw"
SAMPLE_ANNOTATIONS = SAMPLE_DIR / "annotations.jsonl"
SAMPLE_EXPORT = SAMPLE_DIR / "labelstudio_export.json"
SAMPLE_SECOND = SAMPLE_DIR / "annotations_second.jsonl"
SECOND_ANNOTATOR = "second.annotator@example.org"
PROJECT = "akhbar demo"
VERSION = "1.0.0"
MARKER = ".akhbar-demo"  # in out_dir: this directory is the demo's to empty
CONFIGS = ("ner", "ner_nested", "events", "documents")
EXAMPLE_TOKENS = 30  # the NER example is the richest sentence of at most this many tokens

Echo = Callable[[str], Any]


@dataclass
class Studio:
    """Where the annotations came from: a Label Studio server, or the bundled export."""

    url: str | None = None
    settings: Path | None = None  # the local server's settings file (login and token)
    username: str | None = None
    started_here: bool = False  # a local server the demo started (or found running)
    skipped: str | None = None  # why Label Studio was skipped


@dataclass
class DemoSummary:
    out_dir: Path
    corpus: dict[str, int]
    studio: Studio
    project: str
    push: PushReport | None
    snapshot: Path
    snapshot_counts: dict[str, int]
    validation: dict[str, Any]
    agreement: dict[str, Any]  # agreement.json
    adjudication: dict[str, Any]  # adjudication.json
    audit: dict[str, Any]  # audit.json
    proposals_pushed: int | None
    review: ReviewReport | None  # the Data Manager tabs (None without Label Studio)
    release: Path
    verified_files: int
    rows: dict[str, dict[str, int]]  # config -> split -> rows, as loaded by datasets
    examples: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """What ``akhbar demo`` prints at the end."""
        c, v = self.corpus, self.validation
        out = [
            f"akhbar demo: the whole pipeline on the bundled sample, in {self.out_dir}",
            f"  corpus    {c['input']} inputs: {c['kept']} kept, {c['rejected']} rejected, "
            f"{c['duplicates']} duplicates -> {self.out_dir / 'corpus'}",
        ]
        if self.push is not None:
            p = self.push
            made = "created" if p.created_project else "reused as it is; --fresh recreates it"
            out.append(
                f"  push      {self.studio.url}, project {self.project!r} (id {p.project_id}, "
                f"{made}): {p.imported} tasks imported with {p.annotations} annotations, "
                f"{p.existing} already there"
            )
        else:
            out.append(f"  studio    skipped ({self.studio.skipped})")
        s = self.snapshot_counts
        source = "pulled" if self.push is not None else "bundled export"
        out += [
            f"  snapshot  {source} {self.snapshot}: {s['tasks']} tasks, "
            f"{s['annotations']} annotations",
            f"  validate  {v['documents']} documents, {v['quarantined']} quarantined, "
            f"{v['errors']} errors, {v['warnings']} warnings -> {self.out_dir / 'validated'}",
            "  agreement "
            + agreement_report.summary_lines(self.agreement)[0]
            + f" -> {self.out_dir / 'agreement'}",
            *("    " + line for line in agreement_report.summary_lines(self.agreement)[1:]),
            f"  adjudicate {self.adjudication['tasks']} proposals "
            f"({self.adjudication['strategy']}), "
            f"{self.adjudication['tasks_with_conflicts']} with conflicts "
            f"({', '.join(f'{n} {k}' for k, n in self.adjudication['conflicts'].items())})"
            + (
                f"; {self.proposals_pushed} posted as predictions"
                if self.proposals_pushed is not None
                else ""
            )
            + f" -> {self.out_dir / 'adjudicated'}",
            f"  audit     {self.audit['suspects']} suspects ("
            + ", ".join(f"{n} {k}" for k, n in self.audit["by_kind"].items() if n)
            + f") -> {self.out_dir / 'audit' / 'audit.md'}",
            self._review_line(),
            f"  release   v{VERSION} at {self.release} "
            f"(verified: {self.verified_files} files match the manifest)",
            "  load      datasets.load_dataset(release, config), offline:",
        ]
        for config, splits in self.rows.items():
            shown = ", ".join(f"{split} {n}" for split, n in splits.items())
            out.append(f"    {config:<9} {shown} rows")
        out += self.examples
        out.append("")
        if self.studio.started_here:
            out += [
                f"Label Studio keeps running: open {self.studio.url} in a browser and log in as "
                f"{self.studio.username} with the password in {self.studio.settings}",
                f"  to see the {s['tasks']} tasks of project {self.project!r}; stop it with "
                "`akhbar studio down`.",
            ]
        elif self.push is not None:
            out.append(f"Open {self.studio.url} in a browser to see project {self.project!r}.")
        else:
            out.append(
                "Label Studio was not used; run `akhbar demo` without --offline (or "
                "`akhbar studio up`) to see the tasks in a browser."
            )
        out.append(
            f"Load the release yourself: datasets.load_dataset({str(self.release)!r}, 'ner')"
        )
        # The demo runs without the network, so it never publishes; it says where publish fits.
        out.append(
            "  publish   skipped (the demo stays offline): to put the release on the Hugging Face "
            f"Hub as tag v{VERSION}, run `akhbar release publish {self.release} --repo "
            "OWNER/NAME` with HF_TOKEN set or after `hf auth login`"
        )
        return out

    def _review_line(self) -> str:
        if self.review is None:
            return (
                "  review    skipped (needs Label Studio): `akhbar annotate review --project P "
                "--validation DIR --agreement DIR --audit DIR` puts these tasks in tabs of the "
                "project's Data Manager"
            )
        tabs = len(self.review.tabs)
        return (
            f"  review    {tabs} tabs in project {self.project!r}'s Data Manager (titled "
            f"'akhbar review: ...'), one feedback report per annotator -> "
            f"{self.out_dir / 'feedback'}"
        )


# --- steps ---------------------------------------------------------------------------------------


def _fresh_out(out_dir: Path) -> None:
    """Empty ``out_dir`` if an earlier demo made it; refuse anything else that is not empty."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out {out_dir}: is a file; give a directory for the demo")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not (out_dir / MARKER).is_file():
            raise UsageError(
                f"--out {out_dir}: not empty and not made by `akhbar demo` (no {MARKER} in it); "
                "choose another --out or remove it yourself"
            )
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MARKER).write_text("made by akhbar demo; emptied by the next demo run\n")


def _studio(
    offline: bool,
    url: str | None,
    api_key: str | None,
    port: int | None,
    paths: server.Paths | None,
    echo: Echo,
) -> tuple[Connection | None, Studio]:
    """The server to push to, or None with the reason it is skipped."""
    if offline:
        return None, Studio(skipped="--offline")
    if url or api_key:
        if not (url and api_key):
            raise UsageError("a Label Studio server needs both --url and --api-key")
        url = server_url.checked(url)
        return Connection(url, api_key, "--url/--api-key"), Studio(url=url)
    echo("starting a local Label Studio (as `akhbar studio up`; the first start takes a minute)")
    try:
        st = server.up(paths, port=port, echo=echo)
    except (AkhbarError, OSError, subprocess.SubprocessError, *transport_errors()) as e:
        reason = f"Label Studio could not start: {e}"
        echo(f"{reason}; going on offline with the bundled export {SAMPLE_EXPORT}")
        return None, Studio(skipped=reason)
    if not (st.url and st.api_key):
        reason = f"Label Studio started but {st.settings} has no URL and token"
        echo(f"{reason}; going on offline with the bundled export {SAMPLE_EXPORT}")
        return None, Studio(skipped=reason)
    studio = Studio(st.url, st.settings, st.username, started_here=True)
    return Connection(st.url, st.api_key, str(st.settings)), studio


def _push_and_pull(
    conn: Connection, corpus_dir: Path, project: str, fresh: bool, snapshots: Path
) -> tuple[PushReport, Path]:
    if fresh:
        with Client.connect(conn) as client:
            existing = client.find_project(project)
            if existing is not None:
                client.delete_project(existing["id"])
    report = push_corpus(
        conn, PushOptions(corpus_dir, project, annotations=SAMPLE_ANNOTATIONS, progress=False)
    )
    if report.rejected:
        raise IntegrityError(
            f"{SAMPLE_ANNOTATIONS}: {len(report.rejected)} annotation(s) do not fit the built "
            f"sample, first: {report.rejected[0]}; fix the annotations"
        )
    second = teammates.post_as(conn, project, SAMPLE_SECOND, SECOND_ANNOTATOR)
    if second.problems:
        raise IntegrityError(
            f"{SAMPLE_SECOND}: {len(second.problems)} annotation(s) do not fit the built sample, "
            f"first: {second.problems[0]}; fix the annotations"
        )
    snapshot = pull_project(conn, PullOptions(project, snapshots))
    return report, snapshot.path


def ner_example(ner: Any) -> list[str]:
    """The sentence with the most entity types among the short ones, with its tagged tokens."""
    best: tuple[tuple[int, int], str, dict] | None = None
    for split, ds in ner.items():
        names = ds.features["ner_tags"].feature.names
        for row in ds:
            if len(row["tokens"]) > EXAMPLE_TOKENS:
                continue
            tags = [names[t] for t in row["ner_tags"]]
            kinds = {t[2:] for t in tags if t != "O"}
            score = (len(kinds), sum(t.startswith("B-") for t in tags))
            if best is None or score > best[0]:
                best = (score, split, {**row, "ner_tags": tags})
    if best is None:
        return []
    _, split, row = best
    tagged = " | ".join(
        f"{tok} {tag}"
        for tok, tag in zip(row["tokens"], row["ner_tags"], strict=True)
        if tag != "O"
    )
    return [
        f"  example ner row ({split}, {row['article_id']}, sentence {row['sentence']}):",
        f"    {row['text']}",
        f"    tagged tokens: {tagged}",
    ]


def event_example(events: Any) -> list[str]:
    """The event with the most arguments, with its sentence's tokens: trigger and each
    argument by role, text, token span and entity type."""
    best: tuple[int, str, dict, dict, Any] | None = None
    for split, ds in events.items():
        for row in ds:
            for ev in row["events"]:
                n = len(ev["arguments"])
                if best is None or n > best[0]:
                    best = (n, split, row, ev, ds.features)
    if best is None:
        return []
    _, split, row, ev, features = best
    event = features["events"].feature
    types = event["type"].names
    argument = event["arguments"].feature
    roles, labels = argument["role"].names, argument["entity_label"].names
    t = ev["trigger"]
    out = [
        f"  example events row ({split}, {row['id']}, {len(row['events'])} event(s) in the "
        f"sentence): {types[ev['type']]} «{t['text']}» tokens[{t['start']}:{t['end']}]"
    ]
    out += [
        f"    {roles[a['role']]}: {a['text']} ({labels[a['entity_label']]}) "
        f"tokens[{a['start']}:{a['end']}]"
        for a in ev["arguments"]
    ]
    return out


# --- the run -------------------------------------------------------------------------------------


def run_demo(
    out_dir: str | Path,
    offline: bool = False,
    *,
    port: int | None = None,
    url: str | None = None,
    api_key: str | None = None,
    project: str = PROJECT,
    fresh: bool = False,
    paths: server.Paths | None = None,
    echo: Echo | None = None,
) -> DemoSummary:
    """Run the whole pipeline on the bundled sample into ``out_dir``; see the module docstring.

    ``url`` and ``api_key`` name an existing server instead of the local one; ``paths`` the
    local server's directories (default: those of ``akhbar studio up``). ``echo`` receives one
    line as each stage starts. Raises an AkhbarError with one line on any failure.
    """
    say: Echo = echo or (lambda _line: None)
    if url and not offline:
        server_url.checked(url)  # a bad --url is refused before the corpus is built
    out = Path(out_dir)
    _fresh_out(out)
    corpus_dir, snapshots = out / "corpus", out / "snapshots"
    validated, releases = out / "validated", out / "releases"

    say(f"corpus: building {SAMPLE_RAW} -> {corpus_dir}")
    report = build_corpus(CorpusBuildOptions([SAMPLE_RAW], corpus_dir, workers=1, progress=False))
    counts = {k: report[k] for k in ("input", "kept", "rejected", "duplicates")}

    conn, studio = _studio(offline, url, api_key, port, paths, say)
    push_report = None
    if conn is not None:
        say(f"push: {corpus_dir} with {SAMPLE_ANNOTATIONS.name} -> project {project!r}; pull")
        push_report, snapshot = _push_and_pull(conn, corpus_dir, project, fresh, snapshots)
    else:
        snapshot = SAMPLE_EXPORT
        if not snapshot.is_file():
            raise InputError(f"{snapshot}: the bundled export is missing; reinstall akhbar")

    say(f"validate: {snapshot}")
    result = validate_snapshot(
        ValidateOptions(snapshot, corpus_dir, validated, taxonomy.load(None), workers=1)
    )
    c = result.counts
    validation = {
        "documents": c["documents"],
        "quarantined": c["annotations"]["quarantined"],
        "errors": c["issues"]["errors"],
        "warnings": c["issues"]["warnings"],
    }

    say(f"agreement: {snapshot} -> {out / 'agreement'}")
    agreement = run_agreement(AgreementOptions(snapshot, corpus_dir, out / "agreement")).figures
    say(f"adjudicate: {snapshot} -> {out / 'adjudicated'}")
    adj = adjudicate.run_adjudication(
        adjudicate.AdjudicateOptions(snapshot, corpus_dir, out / "adjudicated")
    )
    pushed = None
    if conn is not None:
        with Client.connect(conn) as client:
            pushed = adjudicate.push_proposals(client, adj)

    say(f"audit: {validated} -> {out / 'audit'}")
    audit = run_audit(AuditOptions(validated, corpus_dir, out / "audit")).summary

    review = None
    if conn is not None:
        say(f"review: tabs in project {project!r}; feedback -> {out / 'feedback'}")
        review = review_project(
            conn,
            ReviewOptions(
                project,
                validation=validated,
                agreement=out / "agreement",
                audit=out / "audit",
                feedback=out / "feedback",
            ),
        )

    say(f"release: v{VERSION} -> {releases}")
    from akhbar.corpus.release.build import BuildOptions, build_release
    from akhbar.corpus.release.load import load_datasets
    from akhbar.corpus.release.verify import verify_release

    built = build_release(
        BuildOptions(
            version=VERSION,
            corpus=corpus_dir,
            documents=validated,
            out=releases,
            workers=1,
            agreement=out / "agreement",
            audit=out / "audit",
        )
    )
    problems = verify_release(built.path)
    if problems:
        raise IntegrityError(f"{built.path}: the new release does not verify: {problems[0]}")

    say("load: datasets.load_dataset for every config (HF_HUB_OFFLINE=1), as release load does")
    loaded = load_datasets(built.path, out / ".hf-cache")
    rows = {config: {split: len(ds) for split, ds in dd.items()} for config, dd in loaded.items()}
    for config, splits in built.rows.items():
        want = {s: n for s, n in splits.items() if n}
        if rows.get(config, {}) != want:
            raise IntegrityError(
                f"{built.path}: datasets loaded {config} with rows {rows.get(config)}, the build "
                f"wrote {want}; run akhbar release verify {built.path}"
            )
    from akhbar.corpus.release.manifest import load_manifest

    return DemoSummary(
        out_dir=out,
        corpus=counts,
        studio=studio,
        project=project,
        push=push_report,
        snapshot=snapshot,
        snapshot_counts=count_export(snapshot),
        validation=validation,
        agreement=agreement,
        adjudication=adj.summary,
        audit=audit,
        proposals_pushed=pushed,
        review=review,
        release=built.path,
        verified_files=len(load_manifest(built.path)["files"]),
        rows=rows,
        examples=(ner_example(loaded["ner"]) if "ner" in loaded else [])
        + (event_example(loaded["events"]) if "events" in loaded else []),
    )
