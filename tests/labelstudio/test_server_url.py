"""A user and password in the server URL, or a URL that does not parse, on every command that
takes ``--url`` (and through ``LABEL_STUDIO_URL``): one line, exit 2, the secret never shown."""

from __future__ import annotations

import pytest

from akhbar.annotation.labelstudio import server_url
from akhbar.annotation.labelstudio.client import Client, resolve
from akhbar.schemas.errors import UsageError
from tests.helpers import run_akhbar

SECRET = "S3cretPW"
# Port 9 (discard) on the loopback: nothing listens, so a URL that were used would fail fast.
WITH_PASSWORD = f"http://admin:{SECRET}@127.0.0.1:9"
MALFORMED = "http://[::1"


def _commands(tmp_path):
    """Every command that takes --url, with the other arguments it needs to get that far."""
    snap, corpus = tmp_path / "snap.json", tmp_path / "corpus"
    return {
        "annotate push": ["annotate", "push", str(corpus), "--project", "p"],
        "annotate pull": ["annotate", "pull", "--project", "p", "--out", str(tmp_path / "o")],
        "annotate adjudicate --push": [
            "annotate",
            "adjudicate",
            str(snap),
            "--corpus",
            str(corpus),
            "--out",
            str(tmp_path / "a"),
            "--push",
        ],
        "annotate adjudicate": [
            "annotate",
            "adjudicate",
            str(snap),
            "--corpus",
            str(corpus),
            "--out",
            str(tmp_path / "a"),
        ],
        "studio invite": ["studio", "invite"],
        "demo": ["demo", "--out", str(tmp_path / "demo")],
    }


COMMANDS = [
    "annotate push",
    "annotate pull",
    "annotate adjudicate --push",
    "annotate adjudicate",
    "studio invite",
    "demo",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_password_in_url_is_refused_masked_and_names_api_key(command, tmp_path, monkeypatch):
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    argv = [*_commands(tmp_path)[command], "--url", WITH_PASSWORD, "--api-key", "k" * 40]
    code, out, err = run_akhbar(*argv)
    assert code == 2, (out, err)
    assert SECRET not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "--url http://***@127.0.0.1:9" in lines[0] and "--api-key" in lines[0]
    assert not (tmp_path / "demo" / "corpus").exists()  # refused before any work


@pytest.mark.parametrize("command", ["annotate push", "annotate pull", "studio invite"])
def test_a_password_in_the_environment_url_is_refused_masked(command, tmp_path, monkeypatch):
    monkeypatch.setenv("LABEL_STUDIO_URL", WITH_PASSWORD)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "k" * 40)
    code, out, err = run_akhbar(*_commands(tmp_path)[command])
    assert code == 2 and SECRET not in out + err
    assert err.startswith("akhbar: error: LABEL_STUDIO_URL http://***@127.0.0.1:9: ")
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("url", [MALFORMED, "http://host:port", "ftp://host", "http://"])
def test_a_malformed_url_is_a_one_line_usage_error(command, url, tmp_path, monkeypatch):
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    code, out, err = run_akhbar(*_commands(tmp_path)[command], "--url", url, "--api-key", "k")
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"akhbar: error: --url {url!r} is not"), err
    assert "http://127.0.0.1:8080" in lines[0]  # what a good one looks like


def test_the_library_refuses_a_password_too_and_never_shows_it():
    with pytest.raises(UsageError) as e:
        Client(WITH_PASSWORD, "k" * 40)
    assert SECRET not in str(e.value)
    with pytest.raises(UsageError) as e:
        resolve(WITH_PASSWORD, "k" * 40)
    assert SECRET not in str(e.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://admin:pw@host:8080/x", "http://***@host:8080/x"),
        ("https://u@h", "https://***@h"),
        ("http://a:p@ss@[::1", "http://***@[::1"),  # an "@" in the password, and unparsable
        ("admin:pw@host", "***@host"),
        ("http://host/path@not-userinfo", "http://host/path@not-userinfo"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ],
)
def test_redact_masks_every_form_of_user_info(url, shown):
    assert server_url.redact(url) == shown


def test_a_good_url_passes_without_its_trailing_slash():
    assert server_url.checked("http://[::1]:8080/") == "http://[::1]:8080"
    assert resolve("http://127.0.0.1:8080/", "k").url == "http://127.0.0.1:8080"
