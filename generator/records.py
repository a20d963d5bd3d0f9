"""The typed records the stages hand each other, their status words, and their one JSON form.

The artifacts stage writes an ``ArtifactRecord`` on each card record, the execute stage a ``RunRecord`` (with a
``CellRecord`` per executed block), the bench stage a ``BenchRecord`` (with a ``ClaimRecord`` per claim it
compared); later stages and the renderer read their attributes, never JSON keys. Each is built once, by
``from_json``, from the JSON its stage produced or read from a sidecar file (``<card>.results.json``,
``<card>.bench.json``), and keeps that JSON: ``to_json`` gives back exactly what was read, so results files,
per-model JSON and ``models.json`` stay byte for byte what they were, and keys a newer or hand-edited file adds
survive a round trip. A status word this version does not know reads as ``status=None`` (the record is then
treated as no known state), while the word itself is still written back.

The status enums are ``StrEnum``: a member is the very string written in the JSON
(``json.dumps(RunStatus.NOT_EXECUTED) == '"not_executed"'``).

    run = RunRecord.from_json(stored)
    if run.status is RunStatus.FAILED: ...
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar


class ArtifactStatus(StrEnum):
    """What the artifacts stage could learn of a card's artifact."""

    OK = "ok"
    ERROR = "error"  # it could not be read as declared: ``error_kind`` says why
    NOT_CHECKED = "not-checked"  # nothing was read (offline with no mirror or cached copy)


class RunStatus(StrEnum):
    """What the execute stage knows of a card's example."""

    OK = "ok"
    FAILED = "failed"
    NOT_EXECUTED = "not_executed"  # it cannot run here: ``reason`` says why
    STALE = "stale"  # stored results that no longer fit the card
    MISSING = "missing"  # no stored results (frozen mode)


class RunReason(StrEnum):
    """Why the execute stage did not execute a card's example (``RunStatus.NOT_EXECUTED``), for rules to read; the
    run's ``reason`` says the same to people."""

    OPTED_OUT = "opted-out"  # the card says ``execute: false``
    NO_EXAMPLE = "no-example"  # the card has no Python example
    UNKNOWN_RUNTIME = "unknown-runtime"
    RUNTIME_UNAVAILABLE = "runtime-unavailable"  # not installed or not usable here
    NEEDS_ARTIFACT = "needs-artifact"  # the runtime needs the model and the card names none
    ARTIFACT_REFUSED = "artifact-refused"  # the artifact could not be had as declared
    SANDBOX_FAILED = "sandbox-failed"  # the sandbox could not start
    WORK_LOST = "work-lost"  # the worker running it was lost (killed, or its Ray actor died)

    @property
    def by_design(self) -> bool:
        """The card is not meant to be executed: nothing here is to blame."""
        return self in (RunReason.OPTED_OUT, RunReason.NO_EXAMPLE)


_REASONS = frozenset(RunReason)
REASON_CODE = "reason_code"  # the key the execute stage hands a RunReason over in; never part of the stored JSON
EXAMPLE_LINE = "example_line"  # the key it hands the line of the card's first runnable block over in; the same


class BenchStatus(StrEnum):
    """What the bench stage knows of a card's model."""

    MEASURED = "measured"
    NOT_MEASURED = "not_measured"  # it cannot be measured here, or the measurement failed: ``reason`` says why
    MISSING = "missing"  # no stored measurement (frozen mode)


S = TypeVar("S", ArtifactStatus, RunStatus, BenchStatus)


def status_of(record: Mapping[str, Any] | None, kind: type[S]) -> S | None:
    """The ``status`` of a stage's JSON as a member of ``kind``; None when there is no record, no status, or a
    word ``kind`` does not know (a hand-edited results file)."""
    if not record or record.get("status") is None:
        return None
    try:
        return kind(record["status"])
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _number(value: Any) -> int | float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


R = TypeVar("R", bound="StageRecord")


@dataclass(frozen=True, eq=False)
class StageRecord:
    """What every stage record shares: the JSON it was built from (``to_json``), read-only."""

    json: dict[str, Any] = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        return self.json

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.json == self.json  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, eq=False)
class ArtifactRecord(StageRecord):
    """The artifacts stage's facts of a card's artifact (``artifacts.facts.ArtifactFacts`` as JSON), and of its
    presets. ``origin`` maps a fact to the file inside the artifact it was read from."""

    status: ArtifactStatus | None = None
    error: str | None = None
    error_kind: str | None = None
    url: str | None = None
    resolved_url: str | None = None
    format: str | None = None
    size: int | float | None = None
    sha256: str | None = None
    class_name: str | None = None
    architectures: tuple[str, ...] = ()
    labels: tuple[Any, ...] | None = None
    case_sensitive: bool | None = None
    max_sentence_length: int | float | None = None
    dimension: int | float | None = None
    parameters: int | float | None = None
    spark_version: str | None = None
    versions: Mapping[str, Any] = field(default_factory=dict)
    origin: Mapping[str, str] = field(default_factory=dict)
    presets: Mapping[str, ArtifactRecord] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status is ArtifactStatus.OK

    @property
    def where(self) -> str | None:
        """The URL the facts were read from."""
        return self.resolved_url or self.url

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ArtifactRecord:
        data = dict(data) if not isinstance(data, dict) else data
        labels = data.get("labels")
        return cls(
            json=data, status=status_of(data, ArtifactStatus), error=_text(data.get("error")),
            error_kind=_text(data.get("error_kind")), url=_text(data.get("url")),
            resolved_url=_text(data.get("resolved_url")), format=_text(data.get("format")),
            size=_number(data.get("size")), sha256=_text(data.get("sha256")), class_name=_text(data.get("class_name")),
            architectures=tuple(str(a) for a in _items(data.get("architectures"))),
            labels=tuple(labels) if isinstance(labels, list) else None,
            case_sensitive=data.get("case_sensitive") if isinstance(data.get("case_sensitive"), bool) else None,
            max_sentence_length=_number(data.get("max_sentence_length")), dimension=_number(data.get("dimension")),
            parameters=_number(data.get("parameters")), spark_version=_text(data.get("spark_version")),
            versions=_mapping(data.get("versions")), origin=_mapping(data.get("origin")),
            presets={str(name): cls.from_json(value) for name, value in _mapping(data.get("presets")).items()
                     if isinstance(value, dict)})


@dataclass(frozen=True, eq=False)
class CellRecord(StageRecord):
    """One executed block of a run: where it starts in the card, what it printed, the error it raised."""

    line: int | None = None
    output: Any = None
    error: Mapping[str, Any] | None = None

    @property
    def error_line(self) -> int | None:
        return _int(self.error.get("line")) if self.error else None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CellRecord:
        data = dict(data) if not isinstance(data, dict) else data
        error = data.get("error")
        return cls(json=data, line=_int(data.get("line")), output=data.get("output"),
                   error=error if isinstance(error, dict) and error else None)


@dataclass(frozen=True, eq=False)
class RunRecord(StageRecord):
    """The execute stage's run of a card's example: stored, fresh, stale, missing or not executed (``reason``)."""

    status: RunStatus | None = None
    reason: str | None = None
    reason_code: RunReason | None = None  # why it was not executed (``NOT_EXECUTED``); not in the JSON
    example_line: int | None = None  # the line of the card's first runnable block (its runtime plan's); not in the JSON
    runtime: str | None = None
    date: str | None = None
    duration: Any = None
    versions: Mapping[str, Any] | None = None
    cells: tuple[CellRecord, ...] = ()
    results_text: str | None = None
    skipped: tuple[Any, ...] | None = None  # None: the run predates skipped blocks (older results files)
    sandbox_notes: tuple[Any, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunRecord:
        """The execute stage's run (its ``reason_code`` and ``example_line`` keys, when it has them, become
        attributes, not JSON)."""
        code, example_line = data.get(REASON_CODE), data.get(EXAMPLE_LINE)
        if REASON_CODE in data or EXAMPLE_LINE in data or not isinstance(data, dict):
            data = {key: value for key, value in data.items() if key not in (REASON_CODE, EXAMPLE_LINE)}
        skipped = data.get("skipped")
        text = data.get("results_text")
        return cls(
            json=data, status=status_of(data, RunStatus), reason=_text(data.get("reason")),
            reason_code=RunReason(code) if isinstance(code, str) and code in _REASONS else None,
            example_line=_int(example_line),
            runtime=_text(data.get("runtime")), date=_text(data.get("date")), duration=data.get("duration"),
            versions=data.get("versions") if isinstance(data.get("versions"), dict) else None,
            cells=tuple(CellRecord.from_json(c) for c in _items(data.get("cells")) if isinstance(c, dict)),
            results_text=text if isinstance(text, str) else None,
            skipped=(tuple(skipped) if isinstance(skipped, list) else ()) if "skipped" in data else None,
            sandbox_notes=tuple(_items(_mapping(data.get("sandbox")).get("notes"))))


@dataclass(frozen=True, eq=False)
class ClaimRecord(StageRecord):
    """One number the card claims, compared with the measured one (``bench.claims.Claim`` as JSON)."""

    kind: str | None = None  # quality | speed
    metric: str = ""
    label: str | None = None
    claimed_as: str | None = None
    claimed: float = 0.0
    measured: float = 0.0
    tolerance: float = 0.0
    within: bool = False
    line: int | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ClaimRecord:
        data = dict(data) if not isinstance(data, dict) else data
        return cls(json=data, kind=_text(data.get("kind")), metric=str(data.get("metric") or ""),
                   label=_text(data.get("label")) or None, claimed_as=_text(data.get("claimed_as")),
                   claimed=data.get("claimed") or 0.0, measured=data.get("measured") or 0.0,
                   tolerance=data.get("tolerance") or 0.0, within=bool(data.get("within")),
                   line=_int(data.get("line")))


@dataclass(frozen=True, eq=False)
class BenchRecord(StageRecord):
    """The bench stage's record of a card's model: measured (speed, quality, claims), not measured (``reason``)
    or missing; ``stale`` says why a stored measurement no longer describes the card."""

    status: BenchStatus | None = None
    reason: str | None = None
    error: str | None = None
    stale: str | None = None
    quality: Mapping[str, Any] = field(default_factory=dict)  # metrics, or error/line/hint, warning, dataset
    speed: Mapping[str, Any] = field(default_factory=dict)
    hardware: Mapping[str, Any] = field(default_factory=dict)
    claims: tuple[ClaimRecord, ...] = ()
    chart_svg: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BenchRecord:
        data = dict(data) if not isinstance(data, dict) else data
        return cls(
            json=data, status=status_of(data, BenchStatus), reason=_text(data.get("reason")),
            error=_text(data.get("error")), stale=_text(data.get("stale")),
            quality=_mapping(data.get("quality")), speed=_mapping(data.get("speed")),
            hardware=_mapping(data.get("hardware")),
            claims=tuple(ClaimRecord.from_json(c) for c in _items(data.get("claims")) if isinstance(c, dict)),
            chart_svg=_text(data.get("chart_svg")) or None)


def from_json(kind: type[R], data: R | Mapping[str, Any] | None) -> R | None:
    """``data`` as a ``kind`` record: a record is kept, a JSON object is read once, None stays None."""
    if data is None or isinstance(data, kind):
        return data
    return kind.from_json(data)  # type: ignore[attr-defined]


def to_json(record: StageRecord | None) -> dict[str, Any] | None:
    """The JSON of a stage record (None for none): what sidecar files, per-model JSON and ``models.json`` hold."""
    return None if record is None else record.to_json()
