"""The build cache keeps each card's record under its content key; a damaged or missing file is a miss, and a
folder removed while a build runs is made again."""

import shutil

from generator.render.buildcache import BuildCache


def test_a_stored_record_is_read_back_as_its_summary_and_its_body(tmp_path):
    cache = BuildCache(tmp_path / "build")
    cache.store_record("ab" + "0" * 62, {"summary": 1}, ("record", {"data": 2}))
    assert cache.load_summary("ab" + "0" * 62) == {"summary": 1}
    assert cache.load_record("ab" + "0" * 62) == ("record", {"data": 2})
    assert cache.load_record("ab" + "1" * 62) is None


def test_a_damaged_record_is_a_miss(tmp_path):
    cache = BuildCache(tmp_path / "build")
    key = "cd" + "0" * 62
    cache.store_record(key, "s", "r")
    path = tmp_path / "build" / "records" / "cd" / f"{key}.bin"
    path.write_bytes(path.read_bytes()[:12])
    assert cache.load_summary(key) is None and cache.load_record(key) is None


def test_a_record_folder_removed_during_a_build_is_made_again(tmp_path):
    cache = BuildCache(tmp_path / "build")
    cache.store_record("ef" + "0" * 62, "s", "r")
    shutil.rmtree(tmp_path / "build" / "records")  # another build pruned the cache meanwhile
    cache.store_record("ef" + "1" * 62, "s2", "r2")
    assert cache.load_summary("ef" + "1" * 62) == "s2"
    assert not list((tmp_path / "build" / "records").rglob("*.tmp"))
