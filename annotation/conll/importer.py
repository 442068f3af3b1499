"""``akhbar annotate import-conll``: existing CoNLL annotations -> a corpus store + documents.

Each file is read on its own (a sentence never runs from one file into the next, whether or not
a file ends with a blank line) and may be given the split it belongs to (``train``,
``validation``, ``test``: the source's own splits); each article records it in its metadata
(``split``), and ``release build`` keeps it instead of hashing the article into a split.

Sentences of a file are grouped ``article_size`` at a time into articles (text: each sentence's
tokens joined by single spaces, sentences one per line, kept exactly as written) and one
annotated document per article holding every entity, nested ones included. The article records
its tokenisation in ``metadata`` (``token_offsets``, ``sentence_offsets``), so a release's
``ner`` config reproduces the file's tokens and sentences instead of re-tokenising.

Malformed lines are skipped and listed, each with its line number and reason, in
``OUT/conll_issues.jsonl``; ``report.json`` of the store accounts for every token line (kept,
repaired or skipped). The documents can then be validated and released without a server
(``annotate validate``), or pushed to Label Studio as annotations or predictions.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from akhbar.annotation.conll.reader import (
    DEFAULT_SENTENCE_END,
    SPECIAL_TOKENS,
    ConllReader,
    LineTally,
    Sentence,
    nested_count,
)
from akhbar.corpus import __version__
from akhbar.corpus.dedup.cluster import cluster_id
from akhbar.corpus.file_digest import sha256_file
from akhbar.corpus.records import Article, Provenance, article_id
from akhbar.corpus.release.splits import SPLITS
from akhbar.corpus.runtime.option_fields import opt
from akhbar.corpus.runtime.publish import Output
from akhbar.corpus.store import DUPLICATE_SCHEMA
from akhbar.corpus.store_writer import CorpusWriter, articles_table
from akhbar.schemas.errors import InputError, OutputError, UsageError
from akhbar.schemas.taxonomy import Taxonomy
from akhbar.schemas.taxonomy import load as load_taxonomy

DOCUMENTS = "documents.jsonl"
# Words in a file's name that say which split it holds (train.txt, ANERcorp-dev.conll, val.txt).
SPLIT_WORDS = {
    "train": "train",
    "training": "train",
    "validation": "validation",
    "valid": "validation",
    "val": "validation",
    "dev": "validation",
    "development": "validation",
    "test": "test",
    "testing": "test",
}
ISSUES = "conll_issues.jsonl"
SENTENCE_SEPARATOR = "\n"  # between the sentences of one article


@dataclass
class ImportResult:
    corpus_dir: Path
    documents_path: Path
    issues_path: Path
    articles: int = 0
    sentences: int = 0
    tokens: int = 0
    entities: int = 0
    nested: int = 0  # entities lying inside another entity
    by_label: Counter[str] = field(default_factory=Counter)
    special_tokens: Counter[str] = field(default_factory=Counter)  # kept verbatim, see conll
    iob_repairs: int = 0  # I- tags that opened an entity (read as B-)
    lines: LineTally = field(default_factory=LineTally)
    issue_files: list[Path] = field(default_factory=list)  # the file of each of lines.issues
    files: list[dict[str, Any]] = field(default_factory=list)  # per input: name, split, counts

    def summary(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "sentences": self.sentences,
            "tokens": self.tokens,
            "entities": self.entities,
            "nested_entities": self.nested,
            "by_label": dict(sorted(self.by_label.items())),
            "special_tokens_kept": dict(sorted(self.special_tokens.items())),
            "iob_repairs": self.iob_repairs,
            "lines": self.lines.summary(),
            "files": self.files,
        }


@dataclass(slots=True)
class Group:
    """Consecutive sentences that become one article, with code-point offsets computed once."""

    sentences: list[Sentence]
    text: str = ""
    token_offsets: list[list[int]] = field(default_factory=list)
    sentence_offsets: list[list[int]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        parts: list[str] = []
        pos = 0
        for k, s in enumerate(self.sentences):
            if k:
                parts.append(SENTENCE_SEPARATOR)
                pos += len(SENTENCE_SEPARATOR)
            first = len(self.token_offsets)
            for j, tok in enumerate(s.tokens):
                if j:
                    parts.append(" ")
                    pos += 1
                parts.append(tok)
                self.token_offsets.append([pos, pos + len(tok)])
                pos += len(tok)
            self.sentence_offsets.append([self.token_offsets[first][0], pos])
            for span in s.spans:
                start = self.token_offsets[first + span.start][0]
                end = self.token_offsets[first + span.end - 1][1]
                self.entities.append({"start": start, "end": end, "label": span.label})
        self.text = "".join(parts)
        for n, e in enumerate(self.entities, start=1):
            e["id"] = f"e{n}"
            e["text"] = self.text[e["start"] : e["end"]]

    @property
    def first(self) -> Sentence:
        return self.sentences[0]


def groups(sentences: Iterable[Sentence], size: int) -> Iterator[Group]:
    it = iter(sentences)
    while chunk := list(islice(it, size)):
        yield Group(chunk)


def _article(g: Group, path: Path, source: str, split: str | None) -> Article:
    url = f"conll:{path.name}#{g.first.index + 1}"
    aid = article_id(source, url, "", g.text)
    metadata: dict[str, Any] = {
        "token_offsets": g.token_offsets,
        "sentence_offsets": g.sentence_offsets,
        "conll_file": path.name,
        "conll_line": g.first.line,
    }
    if split is not None:
        metadata["split"] = split  # the source's own split, kept by release build
    return Article(
        id=aid,
        title=f"{source} {split or path.stem} #{g.first.index + 1}",
        text=g.text,
        source=source,
        url=url,
        language="ar",
        metadata=metadata,
        provenance=Provenance(
            input_file=str(path), record=f"line {g.first.line}", reader="conll_v1", encoding="utf-8"
        ),
        cluster_id=cluster_id(aid),
    )


def _document(g: Group, article: Article, path: Path, tax: Taxonomy) -> dict[str, Any]:
    return {
        "article_id": article.id,
        "text": article.text,
        "task_id": None,
        "annotation_id": f"{path.name}#{g.first.index + 1}",
        "annotator": None,
        "created_at": None,
        "updated_at": None,
        "selection": "imported",
        "taxonomy": f"{tax.name}@{tax.version}",
        "entities": [
            {k: e[k] for k in ("id", "start", "end", "text", "label")} for e in g.entities
        ],
        "events": [],
    }


def _store_report(result: ImportResult, inputs: list[ConllInput], source: str) -> dict[str, Any]:
    n = result.articles
    return {
        "input": n,
        "kept": n,
        "rejected": 0,
        "duplicates": 0,
        "by_reason": {},
        "by_rule": {},
        "by_source": {source: {"input": n, "kept": n, "rejected": 0, "duplicates": 0}},
        "duplicates_by_kind": {"exact": 0, "near": 0},
        "imported_from": [
            {
                "file": str(i.path),
                "split": i.split,
                "sha256": sha256_file(i.path).sha256,
            }
            for i in inputs
        ],
        "conll": result.summary(),
        "tool_version": __version__,
    }


@dataclass(frozen=True, slots=True)
class ConllInput:
    """One CoNLL file and the split of the source it holds (None: none; release build then
    assigns its articles by hash)."""

    path: Path
    split: str | None = None


def split_from_name(path: Path) -> str | None:
    """The split a file's name names (``train.txt``, ``ANERcorp-dev.conll``), or None when its
    name names none or more than one."""
    words = {w for w in re.split(r"[^a-z]+", path.stem.lower()) if w}
    found = {SPLIT_WORDS[w] for w in words if w in SPLIT_WORDS}
    return found.pop() if len(found) == 1 else None


def parse_split_option(value: str) -> ConllInput:
    """``train=data/train.txt`` -> ConllInput; the split must be one of SPLITS."""
    name, sep, file = value.partition("=")
    split = SPLIT_WORDS.get(name.strip().lower())
    if not sep or not file or split is None:
        raise UsageError(
            f"--split {value!r}: give SPLIT=FILE with SPLIT one of {', '.join(SPLITS)}, e.g. "
            "--split train=wojood/train.txt"
        )
    return ConllInput(Path(file), split)


@dataclass(slots=True)
class ImportOptions:
    """What ``akhbar annotate import-conll`` is asked to do (see :func:`import_conll`)."""

    conll: Path | Sequence[Path | ConllInput] = opt(
        "CoNLL/IOB files; each takes the split its name names, if any.",
        argument=True,
        nargs=-1,
        required=False,
        exists=True,
        dir_okay=False,
        metavar="[CONLL_FILES]...",
    )
    taxonomy: Taxonomy | Path = opt(
        "Taxonomy declaring the files' entity types: a file or a bundled name (e.g. wojood)."
    )
    out: Path = opt("Directory for corpus/, documents.jsonl and conll_issues.jsonl.")
    split_files: Sequence[str] = opt(
        "A file and the source's split it holds (train, validation, test); repeat for each "
        "file. A FILE given without --split takes the split its name names (train.txt, "
        "val.txt, dev.txt, test.txt), if any; release build keeps these splits.",
        (),
        flag="--split",
        multiple=True,
        metavar="SPLIT=FILE",
    )  # read with the files of ``conll`` (parse_split_option)
    source: str | None = opt("Source name for the articles (default: the taxonomy's name).", None)
    strict: bool = opt("Stop at the first malformed line instead of skipping it.", False)
    sentence_end: str | Iterable[str] | None = opt(
        "Space-separated tokens that end a sentence, also in files with blank lines "
        f"(default: '{' '.join(DEFAULT_SENTENCE_END)}', used only when the file has no blank "
        "lines).",
        None,
        metavar="TOKENS",
    )  # a string is split at spaces (ConllReader takes the tokens)
    article_size: int = opt("Sentences per article (one annotation task).", 1, min=1)
    force: bool = opt(
        "Replace an earlier import at --out (never a directory akhbar did not write).", False
    )


def _items(conll: Path | Sequence[Path | ConllInput]) -> list[Path | ConllInput]:
    return [conll] if isinstance(conll, (str, Path)) else list(conll)


def _inputs(items: list[Path | ConllInput]) -> list[ConllInput]:
    """Every input as a ConllInput; a bare path takes the split its name names, if any."""
    out = [
        i if isinstance(i, ConllInput) else ConllInput(Path(i), split_from_name(Path(i)))
        for i in items
    ]
    if not out:
        raise UsageError("give at least one CoNLL file (FILE or --split SPLIT=FILE)")
    seen: dict[Path, ConllInput] = {}
    for i in out:
        key = i.path.resolve()
        if key in seen:
            raise UsageError(f"{i.path}: given twice; give each CoNLL file once")
        seen[key] = i
    names = Counter(i.path.name for i in out)
    if max(names.values()) > 1:
        # Article URLs are conll:<file name>#<sentence>: two files of one name would collide.
        raise UsageError(
            f"two input files are named {names.most_common(1)[0][0]}; rename one (articles are "
            "named after their file)"
        )
    return out


def import_conll(opts: ImportOptions) -> ImportResult:
    """Write ``OUT/corpus/`` (a corpus store), ``OUT/documents.jsonl`` and
    ``OUT/conll_issues.jsonl`` from CoNLL files; see :class:`ConllReader` for the options."""
    inputs = _inputs([*_items(opts.conll), *(parse_split_option(v) for v in opts.split_files)])
    out, force = Path(opts.out), opts.force
    tax = load_taxonomy(opts.taxonomy)
    if opts.article_size < 1:
        raise UsageError(f"--article-size must be 1 or more, got {opts.article_size}")
    article_size = opts.article_size
    source = opts.source or tax.name
    ends = opts.sentence_end
    reader = ConllReader(
        frozenset(tax.entity_names), ends.split() if isinstance(ends, str) else ends, opts.strict
    )
    result = ImportResult(out / "corpus", out / DOCUMENTS, out / ISSUES, lines=reader.tally)
    articles: list[Article] = []
    lines: list[bytes] = []
    issues: list[bytes] = []
    for item in inputs:
        path = item.path
        before = (result.articles, result.sentences, result.tokens, result.entities)
        # One file at a time: a file that lacks its final blank line ends its last sentence.
        for g in groups(reader.read(path), article_size):
            article = _article(g, path, source, item.split)
            articles.append(article)
            lines.append(orjson.dumps(_document(g, article, path, tax)) + b"\n")
            result.articles += 1
            result.entities += len(g.entities)
            result.by_label.update(e["label"] for e in g.entities)
            for s in g.sentences:
                result.sentences += 1
                result.tokens += len(s.tokens)
                result.nested += nested_count(s.spans)
                result.special_tokens.update(t for t in s.tokens if t in SPECIAL_TOKENS)
                result.iob_repairs += sum(s.repairs)
        for issue in reader.tally.issues[len(result.issue_files) :]:
            issues.append(orjson.dumps({"file": path.name, **issue.to_dict()}) + b"\n")
            result.issue_files.append(path)
        after = (result.articles, result.sentences, result.tokens, result.entities)
        counts = dict(
            zip(("articles", "sentences", "tokens", "entities"),
                (b - a for a, b in zip(before, after, strict=True)), strict=True)
        )  # fmt: skip
        result.files.append({"file": path.name, "split": item.split, **counts})
    if not articles:
        raise InputError(
            f"{', '.join(str(i.path) for i in inputs)}: no sentences found "
            f"({reader.tally.token_lines} token lines, all skipped); is this a CoNLL file "
            "(token TAG per line)?"
        )
    ids = Counter(a.id for a in articles)
    if max(ids.values()) > 1:
        raise InputError(f"{inputs[0].path}: two articles share an id ({ids.most_common(1)[0][0]})")
    for name in (DOCUMENTS, ISSUES):
        if (out / name).exists() and not force:
            raise OutputError(f"{out / name} already exists: pass --force, or choose another --out")
    with (
        CorpusWriter(result.corpus_dir, force=force) as writer,
        Output(out / DOCUMENTS, directory=False, replace=True, what="documents file") as docs,
        Output(out / ISSUES, directory=False, replace=True, what="issues file") as found,
    ):
        writer.write_articles(articles_table(articles))
        writer.write_duplicates(DUPLICATE_SCHEMA.empty_table())
        docs.path.write_bytes(b"".join(lines))
        found.path.write_bytes(b"".join(issues))
        writer.commit(_store_report(result, inputs, source))
        docs.commit()
        found.commit()
    return result
