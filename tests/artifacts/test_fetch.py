"""Fetching against a real HTTP server on 127.0.0.1: Range inspection, every injected fault, and a cache that
stays valid whatever the server does."""

from __future__ import annotations

import hashlib
import threading

from generator.artifacts import ArtifactError, ArtifactStore
from generator.artifacts.cache import sha256_file
from generator.artifacts.http import Transfer
from tests.artifacts.conftest import fast_settings


def _blobs(settings) -> list:
    root = settings.cache_dir / "blobs"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def assert_cache_valid(settings) -> None:
    """Every blob's content hashes to its name, and no temporary file is left outside partial/."""
    for blob in _blobs(settings):
        assert sha256_file(blob) == blob.name
    leftovers = [p for p in settings.cache_dir.rglob(".tmp-*")] if settings.cache_dir.exists() else []
    assert leftovers == []


# ---- inspection over Range --------------------------------------------------------------------------------------
def test_remote_zip_is_inspected_with_range_requests_only(artifact_server, store, built):
    url = artifact_server.add("/models/tiny_albert.zip", built["albert_zip"])
    facts = store.inspect(url)
    assert facts.ok and facts.format == "huggingface"
    assert facts.labels == ["neg", "pos"] and facts.case_sensitive is False
    assert facts.size == built["albert_zip"].stat().st_size
    assert facts.details["read_with"] == "range"
    ranged = [r for r in artifact_server.requests_for("/models/tiny_albert.zip") if r.method == "GET"]
    assert ranged and all("Range" in r.headers for r in ranged)
    assert facts.bytes_transferred == artifact_server.bytes_sent("/models/tiny_albert.zip")
    assert _blobs(store.settings) == []  # nothing was downloaded whole


def test_second_inspection_comes_from_the_cache_without_network(artifact_server, store, built):
    url = artifact_server.add("/s.zip", built["spark_zip"])
    first = store.inspect(url)
    artifact_server.reset_log()
    second = store.inspect(url)
    assert second.source == "cache" and second.bytes_transferred == 0
    assert artifact_server.log == []
    assert second.class_name == first.class_name == "AlbertForSequenceClassification"


def test_stale_cached_facts_are_revalidated_with_a_conditional_request(artifact_server, tmp_path, built):
    store = ArtifactStore(fast_settings(tmp_path / "cache", revalidate_after=0))
    url = artifact_server.add("/s.zip", built["spark_zip"])
    store.inspect(url)
    artifact_server.reset_log()
    again = store.inspect(url)
    (probe,) = artifact_server.log  # one conditional ranged GET: unchanged, so nothing else is read
    assert probe.headers.get("If-None-Match") and probe.status == 304 and probe.sent == 0
    assert again.source == "cache" and again.ok


def test_changed_artifact_is_inspected_again(artifact_server, tmp_path, built):
    store = ArtifactStore(fast_settings(tmp_path / "cache", revalidate_after=0))
    url = artifact_server.add("/m.zip", built["spark_zip"])
    assert store.inspect(url).format == "spark-nlp"
    artifact_server.add("/m.zip", built["albert_zip"])  # new content, new ETag
    assert store.inspect(url).format == "huggingface"


# ---- faults -----------------------------------------------------------------------------------------------------
def test_404_is_a_clear_not_found(artifact_server, store):
    facts = store.inspect(artifact_server.url("/missing.zip"))
    assert facts.status == "error" and facts.error_kind == "not-found"
    assert "HTTP 404" in facts.error and "/missing.zip" in facts.error


def test_500_then_200_is_retried_and_succeeds(artifact_server, store, built):
    url = artifact_server.add("/flaky.zip", built["spark_zip"])
    artifact_server.fault("/flaky.zip", "500", times=2)
    facts = store.inspect(url)
    assert facts.ok and facts.format == "spark-nlp"
    assert [r.status for r in artifact_server.requests_for("/flaky.zip")][:3] == [500, 500, 206]


def test_persistent_500_is_reported_with_its_status(artifact_server, store, built):
    url = artifact_server.add("/broken.zip", built["spark_zip"])
    artifact_server.fault("/broken.zip", "500")
    facts = store.inspect(url)
    assert facts.error_kind == "http" and "HTTP 500" in facts.error
    assert len(artifact_server.requests_for("/broken.zip")) == store.settings.retries + 1


def test_stalled_response_times_out_with_a_message(artifact_server, store, built):
    url = artifact_server.add("/slow.zip", built["spark_zip"])
    artifact_server.fault("/slow.zip", "stall", seconds=5)
    facts = store.inspect(url)
    assert facts.error_kind == "timeout"
    assert "read timeout 0.4 s" in facts.error and "/slow.zip" in facts.error


def test_a_single_stall_is_retried(artifact_server, store, built):
    url = artifact_server.add("/slow-once.zip", built["spark_zip"])
    artifact_server.fault("/slow-once.zip", "stall", times=1, seconds=5)
    assert store.inspect(url).ok


def test_redirect_loop_stops_at_the_limit(artifact_server, store):
    artifact_server.add("/loop.zip", b"x")
    artifact_server.fault("/loop.zip", "redirect-loop")
    facts = store.inspect(artifact_server.url("/loop.zip"))
    assert facts.error_kind == "redirects" and "redirect loop" in facts.error
    assert len(artifact_server.requests_for("/loop.zip")) == store.settings.max_redirects + 1


def test_redirect_is_followed(artifact_server, store, built):
    artifact_server.add("/real.zip", built["spark_zip"])
    artifact_server.fault("/old.zip", "redirect", to="/real.zip")
    facts = store.inspect(artifact_server.url("/old.zip"))
    assert facts.ok and facts.resolved_url.endswith("/real.zip")


def test_inspection_needs_no_head_request(artifact_server, store, built):
    """Size, validators and the zip's central directory come back from one suffix-range GET."""
    url = artifact_server.add("/m.zip", built["spark_zip"])
    assert store.inspect(url).ok
    first = artifact_server.requests_for("/m.zip")[0]
    assert (first.method, first.headers["Range"], first.status) == ("GET", "bytes=-16384", 206)


def test_head_refused_falls_back_to_a_ranged_get(artifact_server, store, built):
    url = artifact_server.add("/nohead.zip", built["spark_zip"])
    artifact_server.fault("/nohead.zip", "head-405")
    info = store.fetcher.head(url, Transfer())
    assert info.size == built["spark_zip"].stat().st_size and info.etag
    methods = [(r.method, r.status, r.headers.get("Range")) for r in artifact_server.requests_for("/nohead.zip")]
    assert methods == [("HEAD", 405, None), ("GET", 206, "bytes=0-0")]
    assert (store.materialize(url) / "metadata" / "part-00000").is_file()


def test_server_ignoring_range_costs_a_full_download_and_says_so(artifact_server, store, built):
    url = artifact_server.add("/norange.zip", built["albert_zip"])
    artifact_server.fault("/norange.zip", "ignore-range")
    facts = store.inspect(url)
    assert facts.ok and facts.labels == ["neg", "pos"]
    assert "ignored" in facts.details["range"]
    assert facts.sha256 == sha256_file(built["albert_zip"])
    assert_cache_valid(store.settings)


def test_truncated_body_is_resumed_with_range(artifact_server, store, built):
    data = built["albert_zip"].read_bytes()
    url = artifact_server.add("/cut.zip", data)
    artifact_server.fault("/cut.zip", "truncate", times=1)
    folder = store.materialize(url)
    assert (folder / "config.json").is_file()
    first, resumed = [r for r in artifact_server.requests_for("/cut.zip") if r.method == "GET"]
    offset = int(resumed.headers["Range"].removeprefix("bytes=").rstrip("-"))
    assert 0 < offset <= first.sent and resumed.headers["If-Range"]
    assert resumed.sent == len(data) - offset  # only the missing part crossed the network again
    assert store.cache.url_entry(url)["sha256"] == hashlib.sha256(data).hexdigest()
    assert_cache_valid(store.settings)


def test_always_truncated_download_fails_and_caches_nothing(artifact_server, store, built):
    url = artifact_server.add("/cut.zip", built["albert_zip"])
    artifact_server.fault("/cut.zip", "truncate")
    try:
        store.materialize(url)
    except ArtifactError as error:
        assert error.kind == "truncated" and "broke off" in str(error)
    else:
        raise AssertionError("a download that never completes must fail")
    assert _blobs(store.settings) == [] and store.cache.url_entry(url) is None
    assert_cache_valid(store.settings)


def test_wrong_content_fails_the_checksum_and_is_not_cached(artifact_server, store, built):
    good = hashlib.sha256(built["albert_zip"].read_bytes()).hexdigest()
    url = artifact_server.add("/wrong.zip", built["albert_zip"])
    artifact_server.fault("/wrong.zip", "wrong-content")
    try:
        store.materialize(url, expected_sha256=good)
    except ArtifactError as error:
        assert error.kind == "checksum" and good in str(error)
    else:
        raise AssertionError("content with the wrong sha256 must be refused")
    assert store.cache.url_entry(url) is None and _blobs(store.settings) == []
    artifact_server.clear_faults()
    assert (store.materialize(url, expected_sha256=good) / "config.json").is_file()
    assert_cache_valid(store.settings)


def test_interrupted_download_is_resumed_in_the_next_run(artifact_server, tmp_path, built):
    """A build killed mid-download leaves partial/<key>.part; the next run continues from there."""
    data = built["albert_zip"].read_bytes()
    url = artifact_server.add("/big.zip", data)
    settings = fast_settings(tmp_path / "cache")
    first = ArtifactStore(settings)
    info = first.fetcher.head(url, Transfer())
    part, meta = first.cache.partial(url)
    from generator.fileio import write_json_atomic

    write_json_atomic(meta, {"etag": info.etag, "last_modified": info.last_modified, "size": info.size})
    part.write_bytes(data[:1000])  # what a killed run left behind
    artifact_server.reset_log()
    folder = ArtifactStore(settings).materialize(url)
    assert (folder / "config.json").is_file()
    (get,) = [r for r in artifact_server.log if r.method == "GET"]
    assert get.headers["Range"] == "bytes=1000-" and get.sent == len(data) - 1000
    assert not part.exists()
    assert_cache_valid(settings)


def test_credentials_are_not_forwarded_to_another_host(artifact_server, second_server, tmp_path, built,
                                                       monkeypatch):
    monkeypatch.setenv("MIRROR_TOKEN", "s3cret")
    target = second_server.add("/elsewhere.zip", built["spark_zip"])
    artifact_server.fault("/private.zip", "redirect", to=second_server.url("/elsewhere.zip"))
    store = ArtifactStore(fast_settings(tmp_path / "cache", credentials={"127.0.0.1": "MIRROR_TOKEN"}))
    facts = store.inspect(artifact_server.url("/private.zip"))
    assert facts.ok and facts.resolved_url == target
    assert artifact_server.requests_for("/private.zip")[0].headers["Authorization"] == "Bearer s3cret"
    assert all("Authorization" not in r.headers for r in second_server.log)


def test_user_password_in_the_url_stays_with_its_host(artifact_server, second_server, store, built):
    second_server.add("/x.zip", built["spark_zip"])
    artifact_server.fault("/auth.zip", "redirect", to=second_server.url("/x.zip"))
    url = artifact_server.url("/auth.zip").replace("http://", "http://user:pw@")
    assert store.inspect(url).ok
    assert artifact_server.requests_for("/auth.zip")[0].headers["Authorization"].startswith("Basic ")
    assert all("Authorization" not in r.headers for r in second_server.log)


def test_user_password_in_the_url_is_not_sent_to_another_port_of_the_same_host(artifact_server, second_server,
                                                                             store, built):
    second_server.add("/x.zip", built["spark_zip"])
    artifact_server.fault("/auth.zip", "redirect", to=second_server.url("/x.zip", host="127.0.0.1"))
    url = artifact_server.url("/auth.zip").replace("http://", "http://user:pw@")
    assert store.inspect(url).ok
    assert artifact_server.requests_for("/auth.zip")[0].headers["Authorization"].startswith("Basic ")
    assert second_server.log and all("Authorization" not in r.headers for r in second_server.log)


def test_size_cap_refuses_large_downloads(artifact_server, tmp_path, built):
    url = artifact_server.add("/huge.zip", built["albert_zip"])
    store = ArtifactStore(fast_settings(tmp_path / "cache", max_size=1000))
    try:
        store.materialize(url)
    except ArtifactError as error:
        assert error.kind == "too-large" and "max_size" in str(error)
    else:
        raise AssertionError("an artifact over max_size must be refused")
    assert _blobs(store.settings) == []


def test_a_local_zip_over_the_size_cap_is_refused_with_an_artifact_error(tmp_path, built):
    store = ArtifactStore(fast_settings(tmp_path / "cache", max_size=1000))
    try:
        store.materialize(str(built["albert_zip"]))
    except ArtifactError as error:
        assert error.kind == "too-large" and "max_size" in str(error)
    else:
        raise AssertionError("a local zip that extracts over max_size must be refused")


def test_a_zip_with_a_corrupt_member_is_a_bad_archive_not_a_crash(tmp_path):
    import zipfile

    archive = tmp_path / "model.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zipped:
        zipped.writestr("model/weights.bin", b"A" * 4096)
    data = bytearray(archive.read_bytes())
    data[data.index(b"A" * 64) + 10] = ord("B")  # the member's bytes no longer match its CRC-32
    archive.write_bytes(bytes(data))
    store = ArtifactStore(fast_settings(tmp_path / "cache"))
    try:
        store.materialize(str(archive))
    except ArtifactError as error:
        assert error.kind == "bad-archive" and "model.zip" in str(error)
    else:
        raise AssertionError("a zip whose member fails its CRC must be reported")
    assert list((tmp_path / "cache" / "trees").iterdir()) == []


def test_concurrent_materialize_of_one_url_downloads_it_once(artifact_server, store, built):
    url = artifact_server.add("/shared.zip", built["albert_zip"])
    results, errors = [], []

    def fetch() -> None:
        try:
            results.append(store.materialize(url))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=fetch) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(set(results)) == 1
    full_gets = [r for r in artifact_server.requests_for("/shared.zip") if r.method == "GET" and r.status == 200]
    assert len(full_gets) == 1
    assert_cache_valid(store.settings)


def test_concurrent_checksum_inspections_of_one_url_download_it_once(artifact_server, store, built):
    url = artifact_server.add("/checked.zip", built["albert_zip"])
    facts, errors = [], []

    def inspect() -> None:
        try:
            facts.append(store.inspect(url, checksum=True))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=inspect) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and {f.sha256 for f in facts} == {sha256_file(built["albert_zip"])}
    full_gets = [r for r in artifact_server.requests_for("/checked.zip") if r.method == "GET" and r.status == 200]
    assert len(full_gets) == 1
    assert_cache_valid(store.settings)


def test_unresolvable_host_fails_fast_and_is_not_retried_per_card(store):
    first = store.inspect("https://no-such-host.invalid/a.zip")
    second = store.inspect("https://no-such-host.invalid/b.zip")
    assert first.error_kind == second.error_kind == "unreachable"
    assert "cannot resolve host" in first.error and "earlier in this run" in second.error
    assert first.requests == 1 and second.requests == 0


def test_a_build_that_downloads_nothing_does_not_import_requests():
    """requests is imported by the first download: an offline or frozen build's start-up does not pay for it."""
    import subprocess
    import sys

    code = ("import sys, generator.cli, generator.render.build, generator.render.plugin, generator.stages; "
            "print('requests' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
