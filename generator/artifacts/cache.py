"""The on-disk artifact cache. Content-addressed and written atomically, so a killed build leaves at most a
resumable ``.part`` file and never a blob, tree or record that lies about its content.

    blobs/sha256/ab/abcdef...      whole artifacts, named by their sha256
    trees/<sha256>/                zips extracted (built in a temporary folder, then renamed into place)
    hashes/<key>.json              sha256 of local files by path, size and mtime
    files/<sha256>/<name>          a blob under its original file name (hard link)
    urls/<key>.json                URL -> sha256, size, ETag, Last-Modified of the last download
    facts/<key>.json               inspected facts, with the validators they were read under
    partial/<key>.part (+ .json)   an interrupted download and the validators it can be resumed with
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from filelock import FileLock
from ..fileio import read_json, write_json_atomic


def url_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ArtifactCache:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # ---- blobs ------------------------------------------------------------------------------------------------
    def blob_path(self, sha256: str) -> Path:
        return self.root / "blobs" / "sha256" / sha256[:2] / sha256

    def has_blob(self, sha256: str | None) -> bool:
        return bool(sha256) and self.blob_path(sha256).is_file()

    def commit_blob(self, temporary: Path, sha256: str) -> Path:
        """Move a fully written and verified file into place under its hash."""
        target = self.blob_path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary, target)
        return target

    def named_file(self, sha256: str, name: str) -> Path:
        """The blob under its original file name, for loaders that look at extensions."""
        target = self.root / "files" / sha256 / (Path(name).name or "artifact")
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".tmp-{os.getpid()}-{target.name}")
            temporary.unlink(missing_ok=True)
            try:
                os.link(self.blob_path(sha256), temporary)
            except OSError:
                shutil.copyfile(self.blob_path(sha256), temporary)
            os.replace(temporary, target)
        return target

    # ---- extracted zips ---------------------------------------------------------------------------------------
    def tree(self, sha256: str, archive: Path, max_size: int) -> Path:
        """The zip's members extracted under trees/<sha256>. Extraction happens in a temporary folder that is
        renamed into place when complete, so an existing trees/<sha256> is always whole."""
        target = self.root / "trees" / sha256
        if target.is_dir():
            return target
        with self.lock(f"tree-{sha256}"):
            if target.is_dir():
                return target
            staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self._dir("trees")))
            try:
                with zipfile.ZipFile(archive) as zipped:
                    total = sum(info.file_size for info in zipped.infolist())
                    if total > max_size:
                        raise ValueError(f"{archive.name} would extract to {total:,} bytes, over max_size "
                                         f"{max_size:,}")
                    zipped.extractall(staging)  # zipfile drops absolute paths and '..' from member names
                os.replace(staging, target)
            finally:
                if staging.exists():
                    shutil.rmtree(staging, ignore_errors=True)
        return target

    def local_sha256(self, path: Path) -> str:
        """sha256 of a local file, remembered by path, size and mtime so an unchanged file is hashed once."""
        stat = path.stat()
        key = f"local:{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
        known = read_json(self._dir("hashes") / f"{url_key(key)}.json")
        if known and known.get("key") == key:
            return str(known["sha256"])
        sha = sha256_file(path)
        write_json_atomic(self._dir("hashes") / f"{url_key(key)}.json", {"key": key, "sha256": sha})
        return sha

    # ---- records ----------------------------------------------------------------------------------------------
    def url_entry(self, url: str) -> dict[str, Any] | None:
        entry = read_json(self._dir("urls") / f"{url_key(url)}.json")
        if entry and self.has_blob(entry.get("sha256")):
            return entry
        return None

    def remember_url(self, url: str, entry: dict[str, Any]) -> None:
        write_json_atomic(self._dir("urls") / f"{url_key(url)}.json", {"url": url, **entry})

    def forget(self, url: str) -> None:
        """Drop what is remembered about ``url`` (its download and its facts); blobs stay, named by content."""
        (self._dir("urls") / f"{url_key(url)}.json").unlink(missing_ok=True)
        (self._dir("facts") / f"{url_key(url)}.json").unlink(missing_ok=True)

    def facts(self, key: str) -> dict[str, Any] | None:
        return read_json(self._dir("facts") / f"{url_key(key)}.json")

    def store_facts(self, key: str, facts: dict[str, Any]) -> None:
        write_json_atomic(self._dir("facts") / f"{url_key(key)}.json", facts)

    def partial(self, url: str) -> tuple[Path, Path]:
        base = self._dir("partial") / url_key(url)
        return base.with_suffix(".part"), base.with_suffix(".json")

    def lock(self, name: str) -> FileLock:
        return FileLock(str(self._dir("locks") / f"{url_key(name)}.lock"))

    def _dir(self, name: str) -> Path:
        path = self.root / name
        path.mkdir(parents=True, exist_ok=True)
        return path
