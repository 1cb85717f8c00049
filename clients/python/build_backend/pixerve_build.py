"""The package's PEP 517 build backend, in the source tree and standard library only.

Why not setuptools: pip builds a project in an isolated environment and installs the backend it names there from an
index, so `pip install ./clients/python` with setuptools fails on a machine without one (CI here, air-gapped hosts),
and `--no-build-isolation` then needs setuptools and wheel installed beside pip, which a plain venv lacks. This
backend needs nothing (build-system.requires is empty), so pip installs the package offline with no flags. It builds
what the package is: pure Python, no dependencies, one import package (pixerve, with its py.typed marker).
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile
from typing import Dict, List, Optional, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "pixerve"
# Fixed times make the same sources give the same archive bytes (zip cannot store times before 1980).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _project() -> Dict[str, str]:
    """name, version, description and requires-python of pyproject.toml's [project] table."""
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        text = f.read().decode()
    try:
        import tomllib  # Python 3.11+
        project = tomllib.loads(text)["project"]
        return {k: str(project[k]) for k in ("name", "version", "description", "requires-python")}
    except ImportError:  # before 3.11: the four plain string keys of [project], read line by line
        table = text.split("[project]", 1)[1].split("\n[", 1)[0]
        return {k: re.search(rf'^{re.escape(k)}\s*=\s*"([^"]*)"', table, re.M).group(1)  # type: ignore[union-attr]
                for k in ("name", "version", "description", "requires-python")}


def _sources() -> List[str]:
    """The package's files, relative to ROOT: its modules and py.typed, no caches."""
    found = []
    for directory, subdirs, files in os.walk(os.path.join(ROOT, PACKAGE)):
        subdirs[:] = sorted(d for d in subdirs if d != "__pycache__")
        found += [os.path.relpath(os.path.join(directory, f), ROOT) for f in sorted(files)
                  if f.endswith(".py") or f == "py.typed"]
    return found


def _metadata(p: Dict[str, str]) -> str:
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    return (f"Metadata-Version: 2.1\nName: {p['name']}\nVersion: {p['version']}\nSummary: {p['description']}\n"
            f"Requires-Python: {p['requires-python']}\nDescription-Content-Type: text/markdown\n\n{readme}")


def _dist_info(p: Dict[str, str]) -> str:
    return f"{p['name']}-{p['version']}.dist-info"


def _wheel(wheel_directory: str, extra: List[Tuple[str, bytes]], with_sources: bool) -> str:
    p = _project()
    name = f"{p['name']}-{p['version']}-py3-none-any.whl"
    info = _dist_info(p)
    entries: List[Tuple[str, bytes]] = []
    if with_sources:
        for path in _sources():
            with open(os.path.join(ROOT, path), "rb") as f:
                entries.append((path.replace(os.sep, "/"), f.read()))
    entries += extra
    entries.append((f"{info}/METADATA", _metadata(p).encode()))
    entries.append((f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: pixerve_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"))
    record = io.StringIO()
    for path, data in entries:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.write(f"{path},sha256={digest},{len(data)}\n")
    record.write(f"{info}/RECORD,,\n")
    entries.append((f"{info}/RECORD", record.getvalue().encode()))
    os.makedirs(wheel_directory, exist_ok=True)
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in entries:
            entry = zipfile.ZipInfo(path, ZIP_TIME)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(entry, data)
    return name


# -- PEP 517 -----------------------------------------------------------------------------------------------
def get_requires_for_build_wheel(config_settings: Optional[dict] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[dict] = None) -> List[str]:
    return []


def build_wheel(wheel_directory: str, config_settings: Optional[dict] = None,
                metadata_directory: Optional[str] = None) -> str:
    return _wheel(wheel_directory, [], with_sources=True)


def build_sdist(sdist_directory: str, config_settings: Optional[dict] = None) -> str:
    p = _project()
    base = f"{p['name']}-{p['version']}"
    files = ["pyproject.toml", "README.md", os.path.join("build_backend", "pixerve_build.py")] + _sources()
    os.makedirs(sdist_directory, exist_ok=True)
    with tarfile.open(os.path.join(sdist_directory, base + ".tar.gz"), "w:gz", format=tarfile.PAX_FORMAT) as tar:
        def add(path: str, data: bytes) -> None:
            entry = tarfile.TarInfo(f"{base}/{path}")
            entry.size, entry.mode, entry.mtime = len(data), 0o644, 0
            tar.addfile(entry, io.BytesIO(data))
        add("PKG-INFO", _metadata(p).encode())
        for path in files:
            with open(os.path.join(ROOT, path), "rb") as f:
                add(path.replace(os.sep, "/"), f.read())
    return base + ".tar.gz"


# -- PEP 660: `pip install -e` puts the source directory on sys.path through a .pth file ----------------------
def get_requires_for_build_editable(config_settings: Optional[dict] = None) -> List[str]:
    return []


def build_editable(wheel_directory: str, config_settings: Optional[dict] = None,
                   metadata_directory: Optional[str] = None) -> str:
    return _wheel(wheel_directory, [(f"{PACKAGE}_editable.pth", (ROOT + "\n").encode())], with_sources=False)
