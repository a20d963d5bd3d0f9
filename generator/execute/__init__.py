"""Execution: run every card's example snippets for real, sandboxed, in warm per-model workers, with stored results.

    from generator.execute import Executor, Worker, SandboxLimits
    runs = Executor(config, mode="auto").run(cards)      # card path -> run record (see runner)
    with Worker.start(SandboxLimits()) as worker:         # a sandboxed interpreter for any code
        worker.begin_card("cards/x.md")
        worker.execute("print(1)")                        # -> CellResult

Modules: ``sandbox`` (confinement, parent side) and ``child`` (confinement, in the child), ``worker`` (warm
interpreter protocol), ``runtimes`` (transformers, python, onnx, sparknlp, keras-hub), ``hfcache`` (offline hub
cache), ``plan`` (what to run), ``store`` (results beside the cards), ``runner`` (all of it per card), ``stage``
(the pipeline stage), ``compare`` (Results block vs output).
"""

from __future__ import annotations

from typing import Any

__all__ = ["CellResult", "Executor", "SandboxLimits", "Worker", "WorkerError", "network_isolation", "warm_worker",
           "worker_for_runtime"]


def __getattr__(name: str) -> Any:  # lazy: the checks import ``compare`` without paying for the rest
    if name in ("Executor",):
        from .runner import Executor

        return Executor
    if name in ("CellResult", "Worker", "WorkerError", "warm_worker"):
        from . import worker

        return getattr(worker, name)
    if name in ("SandboxLimits", "network_isolation"):
        from . import sandbox

        return getattr(sandbox, name)
    if name == "worker_for_runtime":
        from .runner import worker_for_runtime

        return worker_for_runtime
    raise AttributeError(name)
