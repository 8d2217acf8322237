"""The data dictionary documents every column and stays in step with the schema."""

from coopmap import schema
from coopmap.docs import DICTIONARY_PATH, data_dictionary


def test_every_column_has_a_description():
    missing = [
        f"{t.name}.{c}"
        for t in schema.TABLES.values()
        for c, col in t.schema.columns.items()
        if not (col.description or "").strip()
    ]
    assert missing == []


def test_dictionary_file_is_current():
    assert DICTIONARY_PATH.read_text(encoding="utf-8") == data_dictionary(), (
        "docs/data-dictionary.md is out of date: run `coopmap docs`"
    )


def test_dictionary_names_every_column_and_caveat():
    text = DICTIONARY_PATH.read_text(encoding="utf-8")
    for table in schema.TABLES.values():
        assert f"### `{table.name}`" in text
        for column in table.columns:
            assert f"| `{column}` |" in text, f"{table.name}.{column} undocumented"
    for caveat in ("Unknown is not \"no\"", "not reviewed by a person", "Month rule", "2026-05-18",
                   "2017 geography", "Stance from the readings"):
        assert caveat in text
