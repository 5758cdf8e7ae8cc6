"""Rewriting an archive in tests: change members and, if asked, keep the manifest truthful."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path


def read_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_members(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def rewrite(path: Path, out: Path, changes: dict[str, bytes | None], fix: bool = True) -> Path:
    """Copy an archive with some members replaced (None removes one); re-sign the manifest."""
    members = read_members(path)
    for name, data in changes.items():
        if data is None:
            members.pop(name, None)
        else:
            members[name] = data
    if fix:
        manifest = json.loads(members["manifest.json"])
        for entry in manifest["tables"].values():
            data = members.get(entry["file"])
            if data is None:
                continue
            entry["sha256"] = hashlib.sha256(data).hexdigest()
            try:
                entry["rows"] = sum(1 for _ in csv.reader(io.StringIO(data.decode()))) - 1
            except (csv.Error, UnicodeDecodeError):
                entry["rows"] = 1
        members["manifest.json"] = json.dumps(manifest).encode()
    write_members(out, members)
    return out
