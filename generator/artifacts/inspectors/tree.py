"""One view over a folder or a zip (local or remote), so each inspector is written once."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

MAX_JSON = 16 * 1024 * 1024  # a config or metadata file larger than this is not read


class Tree:
    kind = "tree"

    def names(self) -> list[str]:
        raise NotImplementedError

    def open(self, name: str) -> BinaryIO:
        raise NotImplementedError

    def size_of(self, name: str) -> int:
        raise NotImplementedError

    def read(self, name: str, limit: int = MAX_JSON) -> bytes:
        with self.open(name) as handle:
            return handle.read(limit)

    def json(self, name: str) -> Any:
        try:
            return json.loads(self.read(name).decode("utf-8"))
        except (ValueError, UnicodeDecodeError, OSError, KeyError):
            return None

    def find(self, basename: str) -> str | None:
        """The shallowest member called ``basename`` (artifacts are often zipped with a top folder)."""
        hits = [n for n in self.names() if PurePosixPath(n).name == basename]
        return min(hits, key=lambda n: (n.count("/"), n)) if hits else None

    def find_path(self, suffix: str) -> str | None:
        hits = [n for n in self.names() if n == suffix or n.endswith("/" + suffix)]
        return min(hits, key=lambda n: (n.count("/"), n)) if hits else None

    @staticmethod
    def sibling(member: str, name: str) -> str:
        parent = PurePosixPath(member).parent
        return name if str(parent) == "." else f"{parent}/{name}"


class DirectoryTree(Tree):
    kind = "directory"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._names: list[str] | None = None

    def names(self) -> list[str]:
        if self._names is None:
            self._names = sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file())
        return self._names

    def open(self, name: str) -> BinaryIO:
        return (self.root / name).open("rb")

    def size_of(self, name: str) -> int:
        return (self.root / name).stat().st_size


class ZipTree(Tree):
    kind = "zip"

    def __init__(self, fileobj: BinaryIO | io.RawIOBase) -> None:
        self.zip = zipfile.ZipFile(fileobj)  # type: ignore[arg-type]
        self._infos = {info.filename: info for info in self.zip.infolist() if not info.is_dir()}

    def names(self) -> list[str]:
        return sorted(self._infos)

    def open(self, name: str) -> BinaryIO:
        return self.zip.open(self._infos[name])  # type: ignore[return-value]

    def size_of(self, name: str) -> int:
        return self._infos[name].file_size

    def uncompressed_size(self) -> int:
        return sum(info.file_size for info in self._infos.values())
