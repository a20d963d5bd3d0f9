"""Fixtures for the execution tests: a catalog folder with its own configuration, and a TCP listener that counts
who reaches it (to prove the sandbox has no network)."""

from __future__ import annotations

import socket
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from generator.config import Config, load_config

FAST_LIMITS = {"snippet_timeout": 20, "card_timeout": 60, "memory": 2 * 1024**3, "processes": 64,
               "cpu_per_cell": 20, "output_cap": 20_000}


@dataclass
class Catalog:
    root: Path
    cards: Path

    def card(self, name: str, text: str) -> Path:
        path = self.cards / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    @property
    def config(self) -> Config:
        return load_config(self.root)


def write_config(root: Path, execute: dict, extra: str = "") -> None:
    lines = ["[tool.modelhub]", 'cache_dir = ".cache"', "", "[tool.modelhub.execute]"]
    for key, value in execute.items():
        lines.append(f"{key} = {value!r}" if not isinstance(value, str) else f'{key} = "{value}"')
    (root / "pyproject.toml").write_text("\n".join(lines) + "\n" + extra)


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    """An empty catalog (cards/ and a pyproject.toml with quick sandbox limits)."""
    (tmp_path / "cards").mkdir()
    write_config(tmp_path, FAST_LIMITS)
    return Catalog(tmp_path, tmp_path / "cards")


@dataclass
class Listener:
    """A TCP server on 127.0.0.1 that accepts and counts connections."""

    sock: socket.socket
    accepted: list[tuple[str, int]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def port(self) -> int:
        return self.sock.getsockname()[1]

    def serve(self) -> None:
        self.sock.settimeout(0.1)
        while not self.stop.is_set():
            try:
                connection, address = self.sock.accept()
            except OSError:
                continue
            self.accepted.append(address)
            connection.close()


@contextmanager
def listening() -> Iterator[Listener]:
    """A counting TCP listener on 127.0.0.1 for the duration of the block."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    server = Listener(sock)
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        thread.join(timeout=2)
        sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    with listening() as server:
        yield server
