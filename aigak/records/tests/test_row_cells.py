"""A row's cells as answers (`readers.row_dict`): a CSV row of plain columns is read
by its own short way, which must give what the general one gives."""

import pytest

from aigak.questionnaires.tests.xlsform_factory import mini_form
from aigak.questionnaires.xlsform import load_xlsform
from aigak.records import readers

FORM = load_xlsform(mini_form())
HEADER = ["record_id", "full_name", "age_stated", "essence", "entry_date"]


@pytest.mark.parametrize(
    "values",
    [
        ["V-1", "Айгуль", "34", "detained gunshot", "2022-04-03"],
        ["V-1", "", "  ", "", "2022-04-03"],  # empty cells left out, spaces kept as given
        ["V-1", "x", "1"],  # cut short (the reader refuses such rows before)
        ["", "", "", "", ""],
        ["V-1", None, "1", None, ""],
    ],
)
def test_a_plain_row_reads_as_the_general_way_reads_it(values):
    plan = readers.layout("rows.csv", HEADER, FORM)
    plain = readers.row_dict(plan, 2, values)
    general = readers.row_dict(plan, 2, values, cell=lambda value: value)
    assert plain == general
    assert list(plain) == list(general)  # the columns' order
