"""The pure rules: who has a dataset, pseudonyms per dataset, small cells."""

from __future__ import annotations

from deliberation.exports import write_csv
from deliberation.opendata.rules import (
    dataset_id,
    has_dataset,
    is_final,
    number_participants,
    pseudonym_key,
    suppress,
)


def test_drafts_have_no_dataset_and_open_ones_only_a_provisional_one():
    assert not has_dataset("draft")
    assert has_dataset("open") and not is_final("open")
    assert has_dataset("closed") and is_final("closed") and is_final("concluded")


def test_the_same_people_get_unrelated_numbers_in_two_datasets():
    people = list(range(1, 201))
    one = number_participants(pseudonym_key("secret", dataset_id(1)), people)
    two = number_participants(pseudonym_key("secret", dataset_id(2)), people)
    other_secret = number_participants(pseudonym_key("other", dataset_id(1)), people)
    assert sorted(one.values()) == list(range(200))
    assert sum(one[p] == two[p] for p in people) < 10
    assert sum(one[p] == other_secret[p] for p in people) < 10
    # numbers do not follow account order (which would leak who registered first)
    assert [one[p] for p in people] != sorted(one[p] for p in people)


def test_small_cells_are_suppressed_at_k():
    assert [suppress(n) for n in (0, 1, 4, 5, 12)] == ["0", "<5", "<5", "5", "12"]
    assert suppress(9, k=10) == "<10"


def test_the_csv_writer_writes_each_row_before_the_next_is_made():
    written: list[str] = []

    class Sink:
        def write(self, text: str) -> None:
            written.append(text)

    def rows():
        for n in range(3):
            # every earlier row is already out when the next one is generated
            assert len(written) == n + 1
            yield [n, f"row {n}"]

    assert write_csv(Sink(), ["n", "text"], rows()) == 3
    assert "".join(written) == "n,text\n0,row 0\n1,row 1\n2,row 2\n"
