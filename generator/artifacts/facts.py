"""ArtifactFacts: what an artifact really is, as read from its bytes, with where each value came from."""

from __future__ import annotations

import copy
import datetime as _dt
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from enum import Enum
from typing import Any

from ..records import ArtifactStatus


@dataclass
class ArtifactFacts:
    """Facts about one artifact. ``origin`` maps a field name to the place it was read from (e.g.
    ``"labels": "config.json id2label"``) so a finding can name both sides of a disagreement."""

    url: str
    resolved_url: str | None = None
    source: str | None = None  # "http" | "cache" | "file" | "mirror:<prefix>"
    status: ArtifactStatus = ArtifactStatus.OK
    error: str | None = None
    error_kind: str | None = None  # not-found | unreachable | timeout | http | truncated | too-large | offline |
    # unreadable | ...
    size: int | None = None
    sha256: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    format: str | None = None  # spark-nlp | huggingface | keras-preset | onnx | safetensors | zip | directory | file
    class_name: str | None = None
    architectures: list[str] = field(default_factory=list)
    model_type: str | None = None
    labels: list[str] | None = None  # id2label order
    case_sensitive: bool | None = None
    max_sentence_length: int | None = None
    dimension: int | None = None
    parameters: int | None = None
    spark_version: str | None = None
    versions: dict[str, str] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)  # format-specific extras (onnx inputs, paramMap ...)
    origin: dict[str, str] = field(default_factory=dict)
    bytes_transferred: int = 0
    requests: int = 0
    checked_at: str | None = None

    def set(self, name: str, value: Any, origin: str) -> None:
        """Record a fact and where it came from; ``None`` values are ignored so earlier evidence stays."""
        if value is None:
            return
        setattr(self, name, value)
        self.origin[name] = origin

    @property
    def ok(self) -> bool:
        return self.status == ArtifactStatus.OK

    def stamp(self) -> ArtifactFacts:
        self.checked_at = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
        return self

    def to_dict(self) -> dict[str, Any]:
        """As ``dataclasses.asdict`` gives it (containers copied, never shared with the facts), without its generic
        walk: every card's facts are turned into a dict once per build."""
        return {name: _copied(getattr(self, name)) for name in _FIELD_NAMES}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArtifactFacts:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    @classmethod
    def failure(cls, url: str, kind: str, message: str, *, status: ArtifactStatus = ArtifactStatus.ERROR,
                **extra: Any) -> ArtifactFacts:
        return cls(url=url, status=status, error=message, error_kind=kind, **extra).stamp()


_FIELD_NAMES = tuple(f.name for f in fields(ArtifactFacts))
_ATOMS = (str, int, float, bool, type(None), Enum)


def _copied(value: Any) -> Any:
    """``value`` with its dicts and lists copied, as ``asdict`` copies them (anything else: ``asdict``'s deep copy)."""
    if isinstance(value, _ATOMS):
        return value
    if type(value) is dict:
        return {_copied(key): _copied(item) for key, item in value.items()}
    if type(value) is list:
        return [_copied(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return copy.deepcopy(value)
