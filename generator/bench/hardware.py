"""What a measurement ran on: CPU model, cores, GPU, library versions and the date. Every figure carries these."""

from __future__ import annotations

import datetime as _dt
import functools
import os
import platform
import sys
from importlib import metadata

LIBRARIES = ("torch", "transformers", "sentence-transformers", "onnxruntime", "tokenizers", "numpy",
             "scikit-learn", "scipy", "modelhub")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def gpu() -> str | None:
    """The first CUDA device's name when torch is loaded and sees one; None on CPU-only machines."""
    torch = sys.modules.get("torch")
    try:
        if torch is not None and torch.cuda.is_available():
            return str(torch.cuda.get_device_name(0))
    except Exception:  # noqa: BLE001 - a broken driver means "no GPU" for our purposes
        return None
    return None


def hardware() -> dict[str, object]:
    torch = sys.modules.get("torch")
    info: dict[str, object] = {
        "cpu": cpu_model(),
        "cores": usable_cores(),
        "machine": platform.machine(),
        "os": f"{platform.system()} {platform.release()}",
        "gpu": gpu(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
    }
    if torch is not None:
        info["torch_threads"] = torch.get_num_threads()
    return info


def versions(names: tuple[str, ...] = LIBRARIES) -> dict[str, str]:
    """Installed versions of the libraries that shape the numbers (absent ones are left out)."""
    return dict(_versions(names))


@functools.lru_cache(maxsize=8)
def _versions(names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    found = {"python": platform.python_version()}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return tuple(found.items())


def today() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
