"""Static Results rules (MH60x): the Results block must be possible for the example that precedes it."""

from __future__ import annotations

from generator.checks.results import example_rows, show_table
from tests.checks.conftest import CLEAN, broken, card_of, only
from tests.conftest import seed

RESULTS = "+------+\n|result|\n+------+\n|[pos] |\n+------+"


def test_more_result_rows_than_example_rows():
    text = broken((RESULTS, "+------+\n|result|\n+------+\n|[neg, neg] |\n|[pos, pos] |\n+------+"))
    [finding] = only("MH601", text)
    assert finding.message == "the Results block shows 2 rows but the Python example has 1 input row"
    assert text.splitlines()[finding.line - 1].startswith("+------+")


def test_as_many_rows_as_examples_is_fine():
    text = broken(("spark.createDataFrame([['I really liked that movie!']])",
                   "spark.createDataFrame([['I really liked that movie!'], ['Awful.']])"),
                  (RESULTS, "+------+\n|result|\n+------+\n|[pos] |\n|[neg] |\n+------+"))
    assert only("MH601", text) == []


def test_exploded_or_token_level_results_are_not_row_counted():
    chunks = ("+---------+------+\n|chunk    |entity|\n+---------+------+\n|movie    |pos   |\n|liked    |pos   |\n"
              "+---------+------+")
    assert only("MH601", broken((RESULTS, chunks))) == []
    exploded = broken((RESULTS, RESULTS.replace("|[pos] |", "|[pos] |\n|[pos] |")),
                      ('result.select(F.col("class.result")).show()', 'result.select(F.explode("class.result")).show()'))
    assert only("MH601", exploded) == []


def test_seed_001_shows_more_rows_than_its_example():
    from generator.card import read_card
    from generator.checks import CheckContext, RuleSelection, check_card

    findings = check_card(read_card(seed(1)), CheckContext(selection=RuleSelection(select=("MH601",))))
    assert [f.line for f in findings] == [103]


def test_result_labels_must_be_predicted_labels():
    text = broken((RESULTS, RESULTS.replace("[pos]", "[meh]")))
    [finding] = only("MH602", text)
    assert "`meh`" in finding.message
    assert only("MH602", CLEAN) == []


def test_empty_results_section():
    text = broken((RESULTS, ""))
    [finding] = only("MH603", text)
    assert text.splitlines()[finding.line - 1] == "## Results"


def test_show_tables_and_example_rows_are_read():
    header, rows = show_table("* +---+\n* |a  |\n* +---+\n* |[x]|\n* +---+")
    assert header == ["a"] and rows == [["[x]"]]
    assert show_table("token\tvector\nI\t[1.0, 2.0]") is None
    assert example_rows(card_of(CLEAN)) == (1, "Python")


def test_show_table_patterns_are_linear_in_the_indentation_and_read_as_before():
    from generator.checks.results import show_table
    from tests.timing import assert_linear

    assert show_table("+---+\n|a|\n+---+\n| 1|\n") == (["a"], [["1"]])
    assert show_table("  * +-=+\n  # | a | b |\n") == (["a", "b"], [])
    assert show_table("++\n|a|\n") is None
    assert_linear(lambda n: (" " * n + "x\n") * 20, show_table, 2_000)
