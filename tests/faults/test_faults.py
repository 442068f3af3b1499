"""Faults with real processes (issue 10, cases 2, 3, 6, 8): Ctrl-C, SIGTERM and kill -9 of the
long commands, two runs into one output, and ``--force`` on what is not akhbar's.

A real process boundary is the point of every test here, so each runs the ``akhbar`` console
script as a subprocess and signals it once its temporary output has appeared.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import generated_export, generated_release
from tests.helpers.arabic_news import BOOKS, FOOTBALL, WATER

AKHBAR = Path(sys.executable).parent / "akhbar"
WORDS = f"{WATER} {FOOTBALL} {BOOKS}".split()


def make_inputs(root: Path, files: int = 24, per_file: int = 150) -> Path:
    """JSON Lines of distinct Arabic articles, enough for a build of a few seconds."""
    rng = random.Random(3)
    root.mkdir(parents=True)
    for f in range(files):
        lines = (
            json.dumps(
                {
                    "title": f"خبر {f} {i}",
                    "content": " ".join(rng.choice(WORDS) for _ in range(250)),
                    "source": "wire",
                    "url": f"https://wire.example/{f}/{i}",
                },
                ensure_ascii=False,
            )
            for i in range(per_file)
        )
        (root / f"{f:03d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def start(*args, **kw) -> subprocess.Popen:
    env = {**os.environ, "CI": "true", "HOME": str(kw.pop("home", os.environ.get("HOME", "")))}
    return subprocess.Popen(
        [str(AKHBAR), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **kw,
    )


def wait_for_temporary(parent: Path, name: str, proc: subprocess.Popen, timeout=120) -> Path:
    """The temporary output of ``name`` in ``parent``, once the run has created it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in parent.iterdir() if parent.is_dir() else ():
            if p.name != name and name in p.name:
                return p
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    raise AssertionError(f"no temporary output for {name} in {parent}")


def children(pid: int) -> list[int]:
    """Live child processes of ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def wait_gone(pids: list[int], timeout: float = 15) -> list[int]:
    deadline = time.monotonic() + timeout
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [p for p in alive if running(p)]
    return alive


def leftovers(parent: Path, name: str) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if name in p.name)


def finish(proc: subprocess.Popen, timeout: float = 60) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:  # a hang is a failure, never a stuck test run
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"still running {timeout} s after the signal: {err[-2000:]}") from None
    return proc.returncode, out, err


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    return make_inputs(tmp_path_factory.mktemp("faults") / "in")


# --- case 6 and 8: Ctrl-C, SIGTERM, kill -9 of corpus build -----------------------------------


@pytest.mark.parametrize(("sig", "code", "line"), [
    (signal.SIGINT, 130, "akhbar: interrupted"),
    (signal.SIGTERM, 143, "akhbar: terminated"),
])  # fmt: skip
def test_case6_a_signalled_build_says_one_line_and_leaves_nothing(
    inputs, tmp_path, sig, code, line
):
    proc = start("corpus", "build", inputs, "--out", tmp_path / "out", "--workers", "2")
    wait_for_temporary(tmp_path, "out", proc)
    workers = children(proc.pid)
    proc.send_signal(sig)
    rc, _, err = finish(proc)
    assert rc == code, err
    assert err.strip().splitlines()[-1] == line and "Traceback" not in err
    assert leftovers(tmp_path, "out") == []  # before: SIGTERM left out.tmp-PID behind
    assert wait_gone(workers) == []


def test_case8_after_kill_9_no_worker_is_left_and_the_next_build_cleans_up(inputs, tmp_path):
    proc = start("corpus", "build", inputs, "--out", tmp_path / "out", "--workers", "2")
    temporary = wait_for_temporary(tmp_path, "out", proc)
    workers = children(proc.pid)
    proc.kill()
    finish(proc)
    assert wait_gone(workers) == []  # workers exit when their parent dies
    assert temporary.exists()  # kill -9 runs no cleanup: the next run must do it
    small = make_inputs(tmp_path / "small", files=1, per_file=3)
    code, _, err = finish(start("corpus", "build", small, "--out", tmp_path / "out"))
    assert code == 0, err
    assert leftovers(tmp_path, "out") == ["out"]


# --- case 3: one output, one run at a time ----------------------------------------------------


def test_case3_a_second_build_into_the_same_out_fails_at_once(inputs, tmp_path):
    first = start("corpus", "build", inputs, "--out", tmp_path / "out", "--workers", "2")
    wait_for_temporary(tmp_path, "out", first)
    first.send_signal(signal.SIGSTOP)  # held mid-build, however loaded the machine is
    small = make_inputs(tmp_path / "small", files=1, per_file=3)
    try:
        second = start("corpus", "build", small, "--out", tmp_path / "out", "--force")
        code, _, err = finish(second)
    finally:
        first.send_signal(signal.SIGCONT)
    assert code == 2  # before: both exited 0, and the last one replaced the other
    assert err.count("\n") == 1 and f"another akhbar run (pid {first.pid})" in err, err
    code, _, err = finish(first, timeout=300)
    assert code == 0, err
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["input"] == 24 * 150  # the first build's store, not replaced by the second


# --- case 2: --force replaces only what akhbar wrote ------------------------------------------


def test_case2_force_never_replaces_a_directory_holding_an_input(tmp_path):
    out = tmp_path / "out"
    inputs = make_inputs(out / "src", files=1, per_file=3)
    (out / "report.json").write_text("{}", encoding="utf-8")  # looks like a store, is not
    code, _, err = finish(start("corpus", "build", inputs, "--out", out, "--force"))
    assert code == 2 and err.count("\n") == 1, err
    assert (inputs / "000.jsonl").is_file()  # before: the input directory was deleted


def test_case2_force_never_replaces_a_directory_akhbar_did_not_write(tmp_path):
    inputs = make_inputs(tmp_path / "in", files=1, per_file=3)
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "main.py").write_text("print('hello')\n", encoding="utf-8")
    (project / "report.json").write_text("{}", encoding="utf-8")
    code, _, err = finish(start("corpus", "build", inputs, "--out", project, "--force"))
    assert code == 2 and "not written by akhbar" in err, err
    assert (project / "src" / "main.py").is_file()  # before: deleted with --force
    code, _, err = finish(start("corpus", "build", inputs, "--out", tmp_path / "store"))
    assert code == 0, err
    code, _, err = finish(start("corpus", "build", inputs, "--out", tmp_path / "store", "--force"))
    assert code == 0, err  # a store akhbar wrote is replaced


# --- case 8: annotate validate and release build ----------------------------------------------


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> tuple[Path, Path]:
    """A generated Label Studio export of 4,000 tasks and its corpus (the benchmark's data)."""
    return generated_export.generate(4000, tmp_path_factory.mktemp("export"))


@pytest.mark.parametrize("attempt", range(3))
def test_case8_ctrl_c_on_validate_never_deadlocks_nor_prints_a_worker_traceback(
    export, tmp_path, attempt
):
    snapshot, corpus = export
    proc = start(
        "annotate", "validate", snapshot, "--corpus", corpus, "--out", tmp_path / "out",
        "--workers", "2",
    )  # fmt: skip
    wait_for_temporary(tmp_path, "out", proc)
    time.sleep(0.1 * attempt)  # at different points of the run
    workers = children(proc.pid)
    proc.send_signal(signal.SIGINT)
    rc, _, err = finish(proc, timeout=30)  # before: deadlocked in 1 try of 15
    if rc == 0:
        pytest.skip("the run finished before the signal arrived")
    assert rc == 130, err
    assert "Traceback" not in err and err.strip().splitlines()[-1] == "akhbar: interrupted"
    assert leftovers(tmp_path, "out") == []
    assert wait_gone(workers) == []


@pytest.fixture(scope="module")
def release_inputs(tmp_path_factory) -> tuple[Path, Path]:
    corpus, documents, _ = generated_release.generate(3000, tmp_path_factory.mktemp("rel"))
    return corpus, documents


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_case8_a_killed_release_build_leaves_no_worker_and_nothing_partial(
    release_inputs, tmp_path, sig
):
    corpus, documents = release_inputs
    out = tmp_path / "releases"
    args = ["release", "build", "--version", "1.0.0", "--corpus", corpus, "--documents",
            documents, "--out", out, "--workers", "2", "--part-size", "100"]  # fmt: skip
    proc = start(*args)
    deadline = time.monotonic() + 120
    while len(children(proc.pid)) < 2 and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    workers = children(proc.pid)
    proc.send_signal(sig)
    rc, _, err = finish(proc)
    assert rc == (-9 if sig == signal.SIGKILL else 143), err
    assert wait_gone(workers) == []  # before: two workers (~330 MB each) alive forever
    assert not (out / "v1.0.0").exists()
    code, _, err = finish(start(*args[:-4], "--workers", "1"), timeout=300)
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["index.json", "v1.0.0"]


# --- smaller: a full disk ---------------------------------------------------------------------


def test_running_out_of_room_during_validate_is_one_line_and_leaves_nothing(tmp_path):
    import resource

    snapshot, corpus = generated_export.generate(400, tmp_path / "data")
    out = tmp_path / "out"

    def small_files() -> None:  # the kernel refuses writes past 64 KiB, as a full disk would
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2**16, 2**16))

    args = ["annotate", "validate", snapshot, "--corpus", corpus, "--out", out, "--workers", "1"]
    code, _, err = finish(start(*args, preexec_fn=small_files))
    assert code == 2, err  # before: an OSError traceback
    assert err.count("\n") == 1 and "File too large; nothing was written" in err
    assert leftovers(tmp_path, "out") == []
