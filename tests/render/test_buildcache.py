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


def test_a_scan_stamps_the_stored_results_that_are_there_and_only_those(tmp_path):
    """The folder listing the scan takes anyway says which cards have stored results: the others' are not looked up,
    and every stamp is the one a lookup of each file gives."""
    from generator.config import Config
    from generator.render.buildcache import card_stamp, file_stamp, scan_cards

    cards = tmp_path / "cards"
    (cards / "sub").mkdir(parents=True)
    for name in ("a.md", "b.md", "sub/c.md"):
        (cards / name).write_text("---\nname: x\n---\n", encoding="utf-8")
    (cards / "a.results.json").write_text("{}", encoding="utf-8")
    (cards / "sub" / "c.bench.json").write_text("{}", encoding="utf-8")
    scan = scan_cards([cards], Config(tmp_path, {}))
    assert scan.stamps == {path: card_stamp(path) for path in scan.paths}  # as if each file were looked up
    a, b, c = (str(cards / name) for name in ("a.md", "b.md", "sub/c.md"))
    assert scan.stamps[a][1] == file_stamp(cards / "a.results.json") != () and scan.stamps[a][2] == ()
    assert scan.stamps[b][1:] == ((), ()) and scan.stamps[c][1:] == ((), file_stamp(cards / "sub" / "c.bench.json"))
    assert card_stamp(b, {}) == card_stamp(b)  # a folder the scan did not list: looked up
