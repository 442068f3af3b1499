"""``akhbar release publish`` and ``release load OWNER/NAME``: releases as tagged versions of a
Hugging Face Hub dataset repository, through ``huggingface_hub`` (the client users have).

A version is published as one commit on a branch, made against the branch head read just
before (``parent_commit``), so a concurrent publish is refused by the Hub rather than
interleaved; files of the previous version that this one no longer has are deleted in the same
commit. Only then is the tag ``vX.Y.Z`` created on that commit, so a failed commit leaves no
tag. Afterwards the tag is downloaded into a temporary folder and verified like a local
release. The token comes from ``HF_TOKEN`` or the stored Hugging Face login, never from a
command line.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from akhbar.corpus.file_digest import sha256_file
from akhbar.corpus.release.manifest import MANIFEST, load_manifest
from akhbar.corpus.release.options import PublishOptions
from akhbar.corpus.release.versions import parse_version
from akhbar.schemas.errors import AkhbarError, IntegrityError, UsageError

REPO_TYPE = "dataset"
OTHER_TYPES = ("model", "space")


class HubError(AkhbarError):
    """The Hub refused a request or could not be reached; nothing was tagged."""


@dataclass(slots=True)
class PublishResult:
    url: str  # the repository's page
    commit: str
    tag: str
    published: bool  # False: the version was already there with the same manifest
    deleted: int = 0  # files of the previous version removed by the commit
    uploaded: int = 0


def _say(log: Callable[[str], None] | None, text: str) -> None:
    if log is not None:
        log(text)


def check_repo_id(repo: str) -> str:
    """``OWNER/NAME``; a ``models/``, ``spaces/`` or ``datasets/`` prefix is understood."""
    parts = repo.strip("/").split("/")
    if len(parts) == 3 and parts[0] in ("models", "spaces"):
        raise UsageError(
            f"--repo {repo}: releases are published to dataset repositories, not to "
            f"{parts[0]}; give OWNER/NAME of a dataset"
        )
    if len(parts) == 3 and parts[0] == "datasets":
        parts = parts[1:]
    if len(parts) != 2 or not all(parts):
        raise UsageError(f"--repo {repo}: expected OWNER/NAME, e.g. my-org/akhbar-conflict")
    return "/".join(parts)


def resolve_token() -> str:
    """``HF_TOKEN``, else the token stored by ``hf auth login``; one line when there is none."""
    from huggingface_hub import get_token

    token = get_token()
    if not token:
        raise UsageError(
            "no Hugging Face token: set HF_TOKEN in the environment or log in with "
            "`hf auth login` (a token with write access to the repository)"
        )
    return token


class _Hub:
    """The calls publish makes, each turning the client's exceptions into one :class:`HubError`
    line that names the endpoint and what to do."""

    def __init__(self, repo: str, endpoint: str | None, token: str | None):
        from huggingface_hub import HfApi, constants

        self.endpoint = (endpoint or constants.ENDPOINT).rstrip("/")
        self.api = HfApi(endpoint=self.endpoint, token=token)
        self.repo = repo
        self.token = token

    def call(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        import httpx2
        from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError

        try:
            return fn(*args, **kwargs)
        except EntryNotFoundError:
            raise  # a file absent at a revision: the caller decides
        except HfHubHTTPError as e:
            status = e.response.status_code if e.response is not None else None
            if status == 401:
                raise HubError(
                    f"{self.endpoint}: the token was refused while trying to {what} (401); "
                    "set HF_TOKEN to a valid token with write access, or `hf auth login` again"
                ) from None
            if status == 403:
                raise HubError(
                    f"{self.endpoint}: the token may not {what} on {self.repo} (403); use a token "
                    "with write access to that namespace"
                ) from None
            if status == 412:
                raise HubError(
                    f"{self.repo}: the commit was refused: the branch moved since it was read "
                    "(another publish?); nothing was tagged; publish again"
                ) from None
            reason = _server_reason(e)
            raise HubError(
                f"{self.endpoint}: could not {what} on {self.repo} (HTTP {status}: {reason}); "
                "nothing was tagged; try again later"
            ) from None
        except httpx2.TransportError as e:
            reason = " ".join(str(e).split()) or type(e).__name__
            raise HubError(
                f"{self.endpoint}: the Hub cannot be reached ({reason}) while trying to {what}; "
                "check --endpoint, HF_ENDPOINT and the network"
            ) from None


def _server_reason(e: Exception) -> str:
    response = getattr(e, "response", None)
    if response is not None:
        msg = response.headers.get("X-Error-Message")
        if msg:
            return " ".join(msg.split())[:160]
    return " ".join(str(e).split())[:160]


def _changelog_entry(release: Path, version: str) -> str:
    """This version's section of ``CHANGELOG.md``: the tag's message."""
    path = release / "CHANGELOG.md"
    if not path.is_file():
        return f"v{version}"
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    inside = False
    for line in lines:
        if line.startswith("## v"):
            if inside:
                break
            inside = line.startswith(f"## v{version} ") or line == f"## v{version}"
        if inside:
            out.append(line)
    return "\n".join(out).strip() or f"v{version}"


def _remote_manifest(hub: _Hub, revision: str, into: Path) -> dict[str, Any] | None:
    """The manifest at ``revision`` (with its sha256 under ``"_sha256"``), None if it has none."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError

    try:
        path = hub.call(
            "read the published manifest",
            hf_hub_download,
            hub.repo,
            MANIFEST,
            repo_type=REPO_TYPE,
            revision=revision,
            endpoint=hub.endpoint,
            token=hub.token,
            cache_dir=str(into),
        )
    except EntryNotFoundError:
        return None
    folder = Path(path).parent
    manifest = load_manifest(folder)
    manifest["_sha256"] = sha256_file(Path(path))[0]
    return manifest


def _ensure_dataset_repo(hub: _Hub, private: bool, log) -> None:
    api = hub.api
    if hub.call("look up the repository", api.repo_exists, hub.repo, repo_type=REPO_TYPE):
        return
    for other in OTHER_TYPES:
        if hub.call("look up the repository", api.repo_exists, hub.repo, repo_type=other):
            raise UsageError(
                f"--repo {hub.repo}: that is a {other} repository on {hub.endpoint}; releases are "
                "published to a dataset repository: choose another name"
            )
    hub.call(
        "create the repository",
        api.create_repo,
        hub.repo,
        repo_type=REPO_TYPE,
        private=private,
        exist_ok=True,
    )
    _say(log, f"created dataset repository {hub.repo}" + (" (private)" if private else ""))


def _branch_head(
    hub: _Hub, branch: str, version: tuple[int, int, int], log
) -> tuple[str, dict[str, str]]:
    """(head commit of ``branch``, tag name -> commit). A new branch starts at the tag of the
    highest version below ``version`` (a maintenance branch), else at main's head."""
    refs = hub.call("read the refs", hub.api.list_repo_refs, hub.repo, repo_type=REPO_TYPE)
    tags = {t.name: t.target_commit for t in refs.tags}
    heads = {b.name: b.target_commit for b in refs.branches}
    if branch in heads:
        return heads[branch], tags
    below = sorted(
        (v, name) for name in tags if (v := _tag_version(name)) is not None and v < version
    )
    start = below[-1][1] if below else None
    hub.call(
        "create the branch",
        hub.api.create_branch,
        hub.repo,
        branch=branch,
        revision=start,
        repo_type=REPO_TYPE,
        exist_ok=True,
    )
    _say(log, f"created branch {branch} from {start or 'main'}")
    refs = hub.call("read the refs", hub.api.list_repo_refs, hub.repo, repo_type=REPO_TYPE)
    return {b.name: b.target_commit for b in refs.branches}[branch], tags


def _tag_version(name: str) -> tuple[int, int, int] | None:
    try:
        return parse_version(name) if name.startswith("v") else None
    except UsageError:
        return None


def publish_release(
    opts: PublishOptions, log: Callable[[str], None] | None = None
) -> PublishResult:
    """``akhbar release publish``: verify the release, commit it on the branch of the dataset
    repo, tag it, and verify what the tag gives back. Raises a one-line :class:`AkhbarError`
    on any refusal."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    from akhbar.corpus.release.verify import check_release_dir, verify_release

    release, endpoint, private, branch = (
        Path(opts.release),
        opts.endpoint,
        opts.private,
        opts.branch,
    )
    repo = check_repo_id(opts.repo)
    check_release_dir(release)
    problems = verify_release(release)
    if problems:
        raise IntegrityError(
            f"{release}: does not verify ({len(problems)} problem(s), first: {problems[0]}); "
            f"not published; run akhbar release verify {release}"
        )
    manifest = load_manifest(release)
    version = manifest["version"]
    mine = parse_version(version)
    tag = f"v{version}"
    manifest_sha = sha256_file(release / MANIFEST)[0]
    hub = _Hub(repo, endpoint, resolve_token())
    hub.call("check the token", hub.api.whoami)
    url = f"{hub.endpoint}/datasets/{repo}"

    _ensure_dataset_repo(hub, private, log)
    head, tags = _branch_head(hub, branch, mine, log)
    with tempfile.TemporaryDirectory(prefix="akhbar-publish-") as tmp:
        work = Path(tmp)
        if tag in tags:
            there = _remote_manifest(hub, tag, work / "tag")
            if there is not None and there["_sha256"] == manifest_sha:
                _say(log, f"{tag} is already published with this manifest: nothing to do")
                return PublishResult(url, tags[tag], tag, published=False)
            raise IntegrityError(
                f"{repo}: tag {tag} already exists with a different manifest "
                f"({(there or {}).get('_sha256', 'none')[:12]}…, this release "
                f"{manifest_sha[:12]}…); a published version is immutable: build a new version"
            )
        previous = _remote_manifest(hub, head, work / "head")
        if previous is not None:
            theirs = parse_version(str(previous.get("version", "0.0.0")))
            if theirs > mine:
                raise UsageError(
                    f"{repo}: branch {branch} already holds v{previous['version']}, newer than "
                    f"{tag}; publish an older version to another branch with --branch NAME"
                )
            if theirs == mine and previous["_sha256"] != manifest_sha:
                raise IntegrityError(
                    f"{repo}: branch {branch} holds another build of {tag} (manifest "
                    f"{previous['_sha256'][:12]}…); a published version is immutable"
                )

        local = [MANIFEST, *manifest["files"]]
        gone: list[str] = []
        if previous is not None:
            old = set(previous.get("files", {})) | {MANIFEST}
            tree = hub.call(
                "list the files",
                lambda: {
                    f.path
                    for f in hub.api.list_repo_tree(
                        repo, recursive=True, revision=head, repo_type=REPO_TYPE
                    )
                },
            )
            gone = sorted((old & tree) - set(local))
        operations: list[Any] = [
            CommitOperationAdd(path_in_repo=rel, path_or_fileobj=str(release / rel))
            for rel in local
        ]
        operations += [CommitOperationDelete(path_in_repo=rel) for rel in gone]
        entry = _changelog_entry(release, version)
        if previous is not None and previous["_sha256"] == manifest_sha:
            commit = head  # committed before, not tagged (the tag step failed): tag it now
            _say(log, f"branch {branch} already holds {tag}; tagging it")
        else:
            _say(log, f"committing {len(local)} file(s), deleting {len(gone)} on {branch}")
            info = hub.call(
                "commit",
                hub.api.create_commit,
                repo,
                operations,
                commit_message=f"Release {tag} (manifest sha256 {manifest_sha})",
                commit_description=entry,
                repo_type=REPO_TYPE,
                revision=branch,
                parent_commit=head,
            )
            commit = info.oid
        hub.call(
            "tag the commit",
            hub.api.create_tag,
            repo,
            tag=tag,
            tag_message=entry,
            revision=commit,
            repo_type=REPO_TYPE,
        )
        _say(log, f"tagged {commit[:12]} as {tag}; downloading {tag} to verify it")
        _, problems = verify_published(hub, tag, manifest_sha, work / "check")
    if problems:
        raise IntegrityError(
            f"{repo}@{tag}: the published files do not verify ({len(problems)} problem(s), "
            f"first: {problems[0]})"
        )
    return PublishResult(url, commit, tag, published=True, deleted=len(gone), uploaded=len(local))


def download_release(hub: _Hub, revision: str, into: Path) -> Path:
    """The release files at ``revision`` (as the manifest lists them), in a folder under
    ``into``."""
    from huggingface_hub import snapshot_download

    there = _remote_manifest(hub, revision, into)
    if there is None:
        raise IntegrityError(f"{hub.repo}@{revision}: no {MANIFEST} there; not an akhbar release")
    files = [MANIFEST, *there.get("files", {})]
    folder = hub.call(
        "download the release",
        snapshot_download,
        hub.repo,
        repo_type=REPO_TYPE,
        revision=revision,
        endpoint=hub.endpoint,
        token=hub.token,
        cache_dir=str(into),
        allow_patterns=files,
    )
    return Path(folder)


def verify_published(
    hub: _Hub, revision: str, manifest_sha: str | None, into: Path
) -> tuple[Path, list[str]]:
    """Download ``revision`` and verify it as a release: (the folder, problems). With
    ``manifest_sha`` its manifest must be that one (it stands for the index of a local build)."""
    from akhbar.corpus.release.verify import verify_release

    folder = download_release(hub, revision, into)
    got = sha256_file(folder / MANIFEST)[0]
    problems = []
    if manifest_sha is not None and got != manifest_sha:
        problems.append(
            f"{hub.repo}@{revision}: manifest sha256 {got[:12]}…, the release has "
            f"{manifest_sha[:12]}…"
        )
    return folder, problems + verify_release(folder, use_index=False)


def load_published(
    repo: str, revision: str, *, endpoint: str | None = None
) -> dict[str, dict[str, int]]:
    """Download ``repo`` at ``revision``, verify it, and load every config with
    ``datasets.load_dataset``: config -> split -> rows. A public repository needs no token."""
    from huggingface_hub import get_token

    from akhbar.corpus.release.load import load_datasets

    hub = _Hub(check_repo_id(repo), endpoint, get_token())
    with tempfile.TemporaryDirectory(prefix="akhbar-load-") as tmp:
        folder, problems = verify_published(hub, revision, None, Path(tmp) / "files")
        if problems:
            raise IntegrityError(
                f"{hub.repo}@{revision}: does not verify ({len(problems)} problem(s), first: "
                f"{problems[0]}); not loaded"
            )
        return {
            config: {name: dd[name].num_rows for name in dd}
            for config, dd in load_datasets(folder, Path(tmp) / "cache").items()
        }
