"""The build cache keeps each card's record under its content key, a batch of records in one pack file; a damaged
or missing pack is a miss, a folder removed while a build runs is made again, another process's packs are found, and
pruning removes the packs no current record is in."""

import shutil

from generator.render.buildcache import BuildCache


def key(prefix: str, n: int = 0) -> str:
    return prefix + f"{n:062d}"


def packs(folder):
    return sorted((folder / "build" / "records").glob("*.pack"))


def test_a_stored_record_is_read_back_as_its_summary_and_its_body(tmp_path):
    cache = BuildCache(tmp_path / "build")
    cache.store_records([(key("ab"), {"summary": 1}, ("record", {"data": 2}))])
    assert cache.load_summary(key("ab")) == {"summary": 1}
    assert cache.load_record(key("ab")) == ("record", {"data": 2})
    assert cache.load_record(key("ab", 1)) is None


def test_a_batch_of_records_is_one_file_and_another_process_finds_every_record_in_it(tmp_path):
    writer = BuildCache(tmp_path / "build")
    writer.store_records([(key("ab", n), f"summary {n}", ("record", n)) for n in range(100)])
    assert len(packs(tmp_path)) == 1
    reader = BuildCache(tmp_path / "build")  # a worker process of the page pass
    assert [reader.load_record(key("ab", n)) for n in (0, 57, 99)] == [("record", 0), ("record", 57), ("record", 99)]
    assert reader.load_summary(key("ab", 42)) == "summary 42" and reader.has_record(key("ab", 99))
    writer.store_records([(key("cd"), "later", "made after the reader looked")])
    assert reader.load_summary(key("cd")) == "later"  # a miss looks for packs written since


def test_a_damaged_or_cut_pack_is_a_miss(tmp_path):
    BuildCache(tmp_path / "build").store_records([(key("cd", n), "s", "r") for n in range(3)])
    (pack,) = packs(tmp_path)
    data = pack.read_bytes()
    pack.write_bytes(data[:len(data) // 2])  # cut: no table, no marker
    assert BuildCache(tmp_path / "build").load_summary(key("cd")) is None
    table = int.from_bytes(data[-8:], "little")
    pack.write_bytes(b"\xff" * table + data[table:])  # a whole table, but the records themselves damaged
    cache = BuildCache(tmp_path / "build")
    assert cache.load_summary(key("cd")) is None and cache.load_record(key("cd")) is None


def test_a_record_folder_removed_during_a_build_is_made_again(tmp_path):
    cache = BuildCache(tmp_path / "build")
    cache.store_records([(key("ef"), "s", "r")])
    shutil.rmtree(tmp_path / "build" / "records")  # another build pruned the cache meanwhile
    assert cache.load_summary(key("ef")) is None
    cache.store_records([(key("ef", 1), "s2", "r2")])
    assert cache.load_summary(key("ef", 1)) == "s2"
    assert not list((tmp_path / "build" / "records").rglob("*.tmp"))


def test_pruning_removes_the_packs_no_current_record_is_in_and_the_old_one_file_per_record_folders(tmp_path):
    cache = BuildCache(tmp_path / "build")
    cache.store_records([(key("aa", n), "s", "r") for n in range(3)])
    cache.store_records([(key("bb", n), "s", "r") for n in range(3)])
    legacy = tmp_path / "build" / "records" / "ab"
    legacy.mkdir()
    (legacy / (key("ab") + ".bin")).write_bytes(b"a record as builds before the packs stored it")
    assert cache.prune_records({key("aa", 1)}) == 3  # the bb pack goes; the aa pack stays whole
    assert len(packs(tmp_path)) == 1 and not legacy.exists()
    fresh = BuildCache(tmp_path / "build")
    assert fresh.load_summary(key("aa", 0)) == "s" and fresh.load_summary(key("bb", 0)) is None


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
