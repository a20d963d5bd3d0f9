"""A read-only, seekable file over HTTP Range requests, so ``zipfile`` and header parsers read a remote artifact
as if it were local while only the bytes they touch cross the network."""

from __future__ import annotations

import io
from collections import OrderedDict

from .http import Fetcher, Transfer


class RangeFile(io.RawIOBase):
    """Reads go through a small cache of fetched spans; each miss fetches at least ``block`` bytes."""

    def __init__(self, fetcher: Fetcher, url: str, size: int, transfer: Transfer, *, block: int = 64 * 1024,
                 keep: int = 64) -> None:
        super().__init__()
        self.fetcher, self.url, self.size, self.transfer = fetcher, url, size, transfer
        self.block, self.keep = block, keep
        self.position = 0
        self.spans: OrderedDict[int, bytes] = OrderedDict()  # start -> bytes, least recently used first

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def add_span(self, start: int, data: bytes) -> None:
        """Bytes already fetched (e.g. with the first request), so reads of them cost nothing."""
        if data:
            self.spans[start] = data

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.size - self.position
        end = min(self.size, self.position + size)
        if end <= self.position:
            return b""
        chunks, here = [], self.position
        while here < end:
            piece = self._cached(here, end)
            if piece is None:
                self._fetch(here, min(self.size, max(end, here + self.block)) - 1)
                piece = self._cached(here, end)
                assert piece is not None
            chunks.append(piece)
            here += len(piece)
        self.position = end
        return b"".join(chunks)

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def _cached(self, start: int, end: int) -> bytes | None:
        for span_start, data in self.spans.items():
            if span_start <= start < span_start + len(data):
                self.spans.move_to_end(span_start)
                return data[start - span_start: min(end, span_start + len(data)) - span_start]
        return None

    def _fetch(self, start: int, end: int) -> None:
        self.spans[start] = self.fetcher.read_range(self.url, start, end, self.transfer)
        while len(self.spans) > self.keep:
            self.spans.popitem(last=False)
