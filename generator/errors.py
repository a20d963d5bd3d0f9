"""The one exception tree of modelhub: every error it raises on purpose is a ``ModelhubError``.

A ``ModelhubError``'s message is written for the person running modelhub (what happened, to which file, what to do
next), and its ``exit_code`` is what ``modelhub`` exits with when the error ends a command (``generator.cli`` maps
it, in one place): 2 for a usage or configuration error, 1 for anything else. Each stage has one base class, so a
stage catches the failures of the stage it calls by that base, never by bare ``Exception``::

    ModelhubError
    ├── UsageError          exit 2: a wrong command line, path or configuration value (ConfigError, ...)
    ├── CardSourceError     a card file that cannot be read as a card (YAML over budget, not a regular file)
    ├── ArtifactsError      an artifact that cannot be fetched, resolved, materialised or read
    ├── ExecutionError      the sandbox, a worker or a runtime could not run a card's snippets
    └── BenchError          an evaluation set, a stored record or a measurement that cannot be used

Classes keep the built-in base they had (``ValueError``, ``OSError``, ``RuntimeError``) as a second base, so
callers that catch those go on working.
"""

from __future__ import annotations

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class ModelhubError(Exception):
    """An error modelhub reports to its user; ``str(error)`` is the message."""

    exit_code: int = EXIT_FINDINGS


class UsageError(ModelhubError):
    """The command line, a path or the configuration asks for something that cannot be done (exit 2)."""

    exit_code = EXIT_USAGE


class CardSourceError(ModelhubError):
    """A card file that cannot be read as a card."""


class ArtifactsError(ModelhubError):
    """A model artifact that cannot be fetched, resolved, materialised or read."""


class ExecutionError(ModelhubError):
    """A card's snippets could not be run: sandbox, worker, runtime or artifact trouble."""


class BenchError(ModelhubError):
    """A benchmark that cannot be run or read: evaluation set, stored record, measurement."""
