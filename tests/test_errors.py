"""One exception tree: every error modelhub raises on purpose is a ModelhubError, and the CLI turns it into a
message and an exit status in one place."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from generator import errors
from generator.cli import main

PACKAGE = Path(errors.__file__).parent
BUILTIN_BASES = {"Exception", "BaseException", "ValueError", "RuntimeError", "OSError", "TypeError", "KeyError",
                 "LookupError", "IOError"}
TREE = {"ModelhubError", "UsageError", "CardSourceError", "ArtifactsError", "ExecutionError", "BenchError"}


def _exception_classes() -> dict[str, tuple[Path, list[str]]]:
    """Every public class under generator/ whose bases name a built-in exception or another such class."""
    classes: dict[str, tuple[Path, list[str]]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = [b.id if isinstance(b, ast.Name) else b.attr for b in node.bases
                         if isinstance(b, (ast.Name, ast.Attribute))]
                classes[node.name] = (path, bases)
    names = {name for name, (_, bases) in classes.items() if BUILTIN_BASES & set(bases)}
    grew = True
    while grew:  # subclasses of those
        more = {name for name, (_, bases) in classes.items() if set(bases) & names} - names
        names |= more
        grew = bool(more)
    return {name: classes[name] for name in names if not name.startswith("_")}


def test_every_public_exception_class_is_in_the_modelhub_tree():
    found = _exception_classes()
    assert len(found) >= 20  # the tree below, plus ConfigError, FetchError, WorkerError, ...
    outside = []
    for name, (path, bases) in found.items():
        reached, todo = set(), list(bases)
        while todo:
            base = todo.pop()
            if base in reached:
                continue
            reached.add(base)
            todo.extend(found.get(base, (None, []))[1])
        if name != "ModelhubError" and not reached & TREE:
            outside.append(f"{path.relative_to(PACKAGE.parent)}: {name}({', '.join(bases)})")
    assert outside == []


def test_exit_codes_two_for_usage_one_otherwise():
    from generator.config import ConfigError
    from generator.executors import ExecutorUnavailable
    from generator.render.build import SiteBuildError

    for usage in (errors.UsageError, ConfigError, ExecutorUnavailable, SiteBuildError):
        assert usage("x").exit_code == errors.EXIT_USAGE == 2
    for other in (errors.ModelhubError, errors.ArtifactsError, errors.ExecutionError, errors.BenchError,
                  errors.CardSourceError):
        assert other("x").exit_code == errors.EXIT_FINDINGS == 1


def test_the_builtin_bases_stay_so_existing_handlers_still_catch_them():
    from generator.artifacts.resolve import ResolveError
    from generator.bench.store import StoreError
    from generator.config import ConfigError
    from generator.execute.sandbox import SandboxError
    from generator.fileio import NotRegularFileError

    assert issubclass(ConfigError, ValueError) and issubclass(ResolveError, ValueError)
    assert issubclass(StoreError, ValueError) and issubclass(SandboxError, RuntimeError)
    error = NotRegularFileError("a named pipe (FIFO)", "card.md")
    assert isinstance(error, OSError) and isinstance(error, errors.ModelhubError) and "card.md" in str(error)


@pytest.mark.parametrize("argv", [["check", "{missing}"], ["bench", "{missing}"], ["serve", "{missing}"],
                                  ["export", "{missing}"], ["build", "{missing}"]])
def test_a_missing_path_is_one_message_and_exit_2_for_every_command(argv, tmp_path, capsys):
    missing = str(tmp_path / "nowhere")
    assert main([part.format(missing=missing) for part in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"modelhub {argv[0]}: ") and "nowhere" in err and "no such file or folder" in err
    assert "Traceback" not in err
