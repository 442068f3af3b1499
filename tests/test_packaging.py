"""pyproject.toml ships every data file the installed akhbar reads.

setuptools ships a folder's files only as the data of a declared package, so each data-only
folder (source configs, taxonomies, the bundled sample) is listed as a package with patterns
for its files. A folder or a kind of file added later without being declared would be left out
of the wheel without a word; this test says so instead. (`make check-install` then installs
the wheel and runs the offline demo on what shipped.)
"""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch

from tests.helpers import REPO

DATA_FOLDERS = ("corpus/configs", "corpus/sample", "schemas/taxonomies")


def test_every_data_folder_is_a_declared_package_and_every_file_matches_its_patterns():
    conf = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    setup = conf["setuptools"]
    package_of_folder = {folder: name for name, folder in setup["package-dir"].items()}
    declared, data = set(setup["packages"]), setup["package-data"]
    checked = 0
    for root in DATA_FOLDERS:
        folders = [REPO / root, *(p for p in (REPO / root).rglob("*") if p.is_dir())]
        for folder in folders:
            if folder.name == "__pycache__":
                continue
            top, *rest = folder.relative_to(REPO).parts
            package = ".".join([package_of_folder[top], *rest])
            assert package in declared, f"{folder}: add {package!r} to packages in pyproject.toml"
            for f in (p for p in folder.iterdir() if p.is_file()):
                patterns = data.get(package, [])
                assert any(fnmatch(f.name, g) for g in patterns), (
                    f"{f}: not shipped; add a pattern to {package!r} in package-data"
                )
                checked += 1
    assert checked >= 20  # the sample alone has more files than that
