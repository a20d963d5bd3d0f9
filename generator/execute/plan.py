"""What running a card means, decided without running anything: which snippets, which runtime, which artifact,
and, when it cannot run here, exactly why. The card's one runtime plan: the execute stage makes it (``plan_card``)
and puts it on the record; the bench stage measures with the runtime it chose."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..card import Card, Snippet
from ..card.declared import declared_sha256
from ..card.code import analyse_python
from ..records import RunReason
from ..settings import ExecuteSection
from .runtimes import RUNTIMES, Runtime, choose_runtime

RUNNABLE_LANGUAGES = {"python", "py", "python3", "ipython"}
SKIPPED_TABS = {"nlu", "scala", "java"}
_MAGIC = re.compile(r"^[ \t]*[!%].*$", re.M)  # notebook shell/magic lines (!pip install ..., %time)


@dataclass
class CardPlan:
    card: Card
    runtime_name: str
    runtime: Runtime | None
    cells: list[Snippet]
    artifact_url: str | None
    assets: dict[str, str] = field(default_factory=dict)  # name in the working folder -> URL
    aliases: list[str] = field(default_factory=list)  # names snippets may use for the model
    artifact_sha256: str | None = None  # the sha256 the card declares for its artifact (verified before running)
    unavailable: str | None = None  # why the runtime cannot run here, whatever the card (None: it can)
    blocked: str | None = None  # why the card cannot run here (None: it can)
    blocked_code: RunReason | None = None  # the same, for rules
    skipped: dict[int, str] = field(default_factory=dict)  # snippet line -> why that block is not run
    independent: bool = False  # each block is an example of its own: one that fails does not stop the next

    @property
    def path(self) -> str:
        return self.card.path

    def code_digest(self) -> str:
        prelude = (self.runtime.prelude(self.card) if self.runtime else None) or ""
        chain = "\0".join([prelude, *(cell_code(cell) for cell in self.cells)])
        return hashlib.sha256(chain.encode("utf-8", "surrogateescape")).hexdigest()


def runnable_snippets(card: Card) -> list[Snippet]:
    """The card's Python example blocks, in order (Scala/Java tabs and NLU one-liners are not ours to run)."""
    chosen = []
    for snippet in card.snippets:
        language = (snippet.language or "").lower()
        if language not in RUNNABLE_LANGUAGES and not (not language and snippet.tab == "python"):
            continue
        if (snippet.tab or "") in SKIPPED_TABS or "nlu-block" in snippet.attributes:
            continue
        if not snippet.code.strip():
            continue
        chosen.append(snippet)
    return chosen


def cell_code(snippet: Snippet) -> str:
    """The code to execute: notebook magics (``!pip install``) become blank lines so line numbers stay right."""
    return _MAGIC.sub("", snippet.code)


def opted_out(card: Card) -> bool:
    value = card.front_matter.get("execute")
    return value is False or (isinstance(value, str) and value.strip().lower() in {"false", "no", "off"})


def plan_card(card: Card, settings: ExecuteSection | None = None,
              reasons: dict[str, str | None] | None = None, mirrors: Iterable[str] | None = None) -> CardPlan:
    """The plan for one card. ``reasons`` memoizes each runtime's availability over a catalog (pass one dict);
    ``mirrors`` (the ``[mirrors]`` prefixes) let a card without an artifact run on the mirrored model its snippets
    load by name, and mark the blocks that load a model no mirror serves."""
    settings = settings or ExecuteSection()
    cells = runnable_snippets(card)
    code = "\n".join(cell.code for cell in cells)
    name, runtime = choose_runtime(card, code)
    assets = card.front_matter.get("assets") if isinstance(card.front_matter.get("assets"), dict) else {}
    aliases = [str(v) for v in (card.front_matter.get("hub_id"), card.name) if v]
    declared, _ = declared_sha256(card)
    plan = CardPlan(card, name, runtime, cells, card.download_url, {str(k): str(v) for k, v in assets.items()},
                    list(dict.fromkeys(aliases)), declared.lower() if declared else None)
    if runtime is not None:
        if reasons is None or name not in reasons:
            plan.unavailable = runtime.unavailable_reason(settings)
            if reasons is not None:
                reasons[name] = plan.unavailable
        else:
            plan.unavailable = reasons[name]
    blocked = _blocked(plan, opted_out(card))
    if blocked is not None:
        plan.blocked_code, plan.blocked = blocked
    if runtime is not None and mirrors is not None:
        _plan_models(plan, list(mirrors))
    return plan


def _blocked(plan: CardPlan, opted: bool) -> tuple[RunReason, str] | None:
    """Why the planned card cannot run here, as a code and in words; None when it can."""
    name, runtime = plan.runtime_name, plan.runtime
    if opted:
        return RunReason.OPTED_OUT, "the card opts out of execution (execute: false)"
    if not plan.cells:
        return RunReason.NO_EXAMPLE, "the card has no Python example to run"
    if runtime is None:
        return RunReason.UNKNOWN_RUNTIME, f"unknown runtime {name!r} (known: {', '.join(sorted(RUNTIMES))})"
    if plan.unavailable:
        return RunReason.RUNTIME_UNAVAILABLE, f"runtime {name} unavailable: {plan.unavailable}"
    if runtime.needs_artifact and not plan.artifact_url:
        return RunReason.NEEDS_ARTIFACT, (f"the {name} runtime needs the model: add `artifact: {{url: ...}}` to the "
                                          "front matter or a Download link")
    return None


def _plan_models(plan: CardPlan, mirrors: list[str]) -> None:
    """Models the snippets load by name: the first mirrored one becomes the card's artifact when it has none;
    blocks that load a model nothing serves are skipped. On API pages (Keras) every block is an example of its
    own, and a block that is one API signature (``Class(arg, ...)``) is documentation, not an example."""
    runtime = plan.runtime
    assert runtime is not None
    names = runtime.model_names("\n".join(cell.code for cell in plan.cells))
    mirrored = runtime.mirrored_models(names, mirrors)
    served = set(plan.aliases) if plan.artifact_url else set()
    if not plan.artifact_url and mirrored:
        plan.artifact_url = next(iter(mirrored.values()))
    served |= {name for name, url in mirrored.items() if url == plan.artifact_url}
    plan.aliases = list(dict.fromkeys([name for name in names if name in served] + plan.aliases))
    plan.independent = plan.card.dialect == "keras"
    for cell in plan.cells:
        if plan.independent and analyse_python(cell.code, frozenset()).signature:
            plan.skipped[cell.line] = "an API signature, not an example"
            continue
        missing = [name for name in runtime.model_names(cell.code) if name not in served]
        if missing:
            plan.skipped[cell.line] = "; ".join(runtime.unavailable_model(name) for name in missing)
