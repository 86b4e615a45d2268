"""A bad measurement file is refused as a whole, naming every bad line and why, and
nothing is written."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.imports.csvfile import CsvRejected
from bot.imports.measurements_file import ImportOptions, parse_invited
from bot.storage import Storage
from tests.support.cli import main
from tests.support.history_data import (
    EN,
    cli_options,
    counts,
    csv_bytes,
    cvs_history,
    import_file,
    parse,
)
from tests.support.report_data import add_wave

HEADER = ("wave", "date", "satisfaction", "loyalty", "recommendation", "segment")
GOOD = ("2025", "2025-03-10", 7, 8, 9, "retail")


def with_row(row: tuple[object, ...], header: tuple[str, ...] = HEADER) -> bytes:
    """A good row, then `row` on line 3."""
    return csv_bytes(header, [GOOD, row])


@pytest.mark.parametrize(
    ("data", "options", "line", "reason"),
    [
        pytest.param(
            with_row(("2025", "2025-03-10", 7, 8, 9, "x", 7), (*HEADER, "service")),
            None,
            1,
            "column 'service' is not a question of survey 'cvs' (its questions: satisfaction,",
            id="unknown question id",
        ),
        pytest.param(
            with_row(
                ("2025", "2025-03-10", 7, 8, 9, "x"), ("wave", "date", "satisfation", *HEADER[3:])
            ),
            None,
            1,
            "column 'satisfation' is not a question of survey 'cvs'; did you mean 'satisfaction'?",
            id="misspelt question id",
        ),
        pytest.param(
            with_row(("2025", "2025-03-10", 7, 11, 9, "x")),
            None,
            3,
            "question 'loyalty': '11' is not a whole number from 0 to 10",
            id="score above the scale",
        ),
        pytest.param(
            with_row(("2025", "2025-03-10", 7, "seven", 9, "x")),
            None,
            3,
            "question 'loyalty': 'seven' is not a whole number from 0 to 10",
            id="score not a number",
        ),
        pytest.param(
            with_row(("2025", "2025-13-01", 7, 8, 9, "x")),
            None,
            3,
            "date '2025-13-01' is not a date; write YYYY-MM-DD",
            id="malformed date",
        ),
        pytest.param(
            with_row(("2025", "10-03-2025", 7, 8, 9, "x")),
            None,
            3,
            "date '10-03-2025' is not a date; write YYYY-MM-DD",
            id="date in another format",
        ),
        pytest.param(
            with_row(("2025", "2027-01-04", 7, 8, 9, "x")),
            None,
            3,
            "date 2027-01-04 is in the future",
            id="future date",
        ),
        pytest.param(
            with_row(("", "2025-03-10", 7, 8, 9, "x")),
            None,
            3,
            "the wave label is empty",
            id="empty wave label",
        ),
        pytest.param(
            with_row(("2025", "2025-03-10", "", "", "", "retail")),
            None,
            3,
            "the row answers no question",
            id="nothing answered",
        ),
        pytest.param(
            with_row(("2025", "2025-03-10", 7, 8, 9, "x", "a@b.nl"), (*HEADER, "email")),
            None,
            1,
            "column 'email' would tie anonymous answers to a person",
            id="a person's email",
        ),
        pytest.param(
            with_row(("2025", "2025-03-10", 7, 8, 9, "x", 1), (*HEADER, "2nd")),
            None,
            1,
            "column '2nd' is not a usable attribute name",
            id="attribute name",
        ),
        pytest.param(
            csv_bytes(("wave", *HEADER[2:]), [("2025", 7, 8, 9, "x")]),
            None,
            1,
            "the file needs a 'date' column, or --date for the whole file",
            id="no date",
        ),
        pytest.param(
            cvs_history(),
            ImportOptions(wave="2025"),
            1,
            "the file has a 'wave' column and --wave was given; use one of them",
            id="wave twice",
        ),
        pytest.param(
            cvs_history(),
            ImportOptions(invited=30),
            1,
            "--invited is for a file with one wave, and this one has 3",
            id="one invited count for three waves",
        ),
        pytest.param(
            cvs_history(),
            ImportOptions(invited_by_wave={"2023": 4}),
            7,
            "wave '2023' has 5 respondents, more than the 4 invited",
            id="fewer invited than respondents",
        ),
        pytest.param(
            with_row(("2025", "2025-03-10", 7, 8, 9, "x", "extra")),
            None,
            3,
            "has 7 cells, but the header names 6 columns",
            id="ragged row",
        ),
        pytest.param(
            csv_bytes(
                ("respondent", "satisfaction", "loyalty", "segment"),
                [("R7", 7, "", "retail"), ("R7", 6, 5, "public")],
            ),
            ImportOptions(wave="2025", day=date(2025, 3, 10)),
            3,
            "respondent 'R7' answered question 'satisfaction' on line 2 already",
            id="one respondent answering twice",
        ),
    ],
)
async def test_each_bad_file_is_refused_with_its_line_and_reason(
    storage: Storage, data: bytes, options: ImportOptions | None, line: int, reason: str
) -> None:
    await import_file(storage, cvs_history())
    before = await counts(storage)
    with pytest.raises(CsvRejected) as refused:
        await import_file(storage, data, options=options)
    assert any(n == line and reason in text for n, text in refused.value.problems), (
        refused.value.problems
    )
    assert await counts(storage) == before


async def test_an_unknown_choice_is_refused(storage: Storage) -> None:
    data = csv_bytes(("customer_since", "service"), [("gt3", 7), ("forever", 8)])
    with pytest.raises(CsvRejected) as refused:
        await import_file(storage, data, "kto", ImportOptions(wave="old", day=date(2024, 1, 1)))
    assert refused.value.problems == [
        (3, "question 'customer_since': 'forever' is not one of its choices (lt1, y1to3, gt3)")
    ]
    assert await counts(storage) == (0, 0, 0)


async def test_every_bad_line_is_listed_at_once(storage: Storage) -> None:
    data = csv_bytes(
        HEADER,
        [
            GOOD,
            ("2025", "2025-02-30", 7, 8, 9, "x"),
            GOOD,
            ("2025", "2025-03-10", -1, 8, 12, "x"),
        ],
    )
    with pytest.raises(CsvRejected) as refused:
        await import_file(storage, data)
    assert refused.value.problems == [
        (3, "date '2025-02-30' is not a date; write YYYY-MM-DD"),
        (5, "question 'satisfaction': '-1' is not a whole number from 0 to 10"),
        (5, "question 'recommendation': '12' is not a whole number from 0 to 10"),
    ]
    assert await counts(storage) == (0, 0, 0)


async def test_a_label_taken_by_a_different_measurement_is_refused(storage: Storage) -> None:
    await import_file(storage, cvs_history())
    before = await counts(storage)
    changed = cvs_history().replace(b"2023,2023-03-13,6,5,5", b"2023,2023-03-13,9,9,9")
    with pytest.raises(CsvRejected) as refused:
        await import_file(storage, changed)
    assert refused.value.problems == [
        (
            7,
            "wave '2023' was imported before with other answers;"
            " give this measurement another label",
        )
    ]
    assert await counts(storage) == before


async def test_a_label_of_a_wave_run_here_or_of_another_survey_is_refused(
    storage: Storage,
) -> None:
    await add_wave(storage, "cvs", "2023", datetime(2023, 3, 1, tzinfo=UTC), invited=3)
    await add_wave(storage, "nps", "2024", datetime(2024, 3, 1, tzinfo=UTC))
    before = await counts(storage)
    with pytest.raises(CsvRejected) as refused:
        await import_file(storage, cvs_history())
    assert refused.value.problems == [
        (7, "wave '2023' was run in Klantstem; give this measurement another label"),
        (12, "wave '2024' belongs to survey 'nps'; give this measurement another label"),
    ]
    assert await counts(storage) == before


async def test_a_different_invited_count_for_an_imported_wave_is_refused(
    storage: Storage,
) -> None:
    await import_file(storage, cvs_history(), options=ImportOptions(invited_by_wave={"2022": 9}))
    with pytest.raises(CsvRejected) as refused:
        await import_file(
            storage, cvs_history(), options=ImportOptions(invited_by_wave={"2022": 12})
        )
    assert refused.value.problems == [(2, "wave '2022' was imported before with 9 invited, not 12")]


@pytest.mark.parametrize(
    ("data", "problems"),
    [
        (b"wave,invited\n2022,many\n", [(2, "invited 'many' is not a whole number of people")]),
        (b"wave,invited\n2022,5\n2022,6\n", [(3, "wave '2022' appears on line 2 already")]),
        (
            b"wave,people\n2022,5\n",
            [
                (1, "required column 'invited' is missing"),
                (1, "unknown column 'people'; waves.csv has the columns survey, wave, invited"),
            ],
        ),
    ],
)
def test_a_bad_waves_csv_is_refused_with_its_lines(
    data: bytes, problems: list[tuple[int, str]]
) -> None:
    with pytest.raises(CsvRejected) as refused:
        parse_invited(data, "cvs", EN)
    assert refused.value.problems == problems


def test_the_command_lists_the_bad_lines_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = cli_options(tmp_path)
    bad = tmp_path / "history.csv"
    bad.write_bytes(cvs_history().replace(b"2024-03-11,7,6,7", b"2024-03-11,7,60,7"))
    assert main(["responses", "import", str(bad), "--survey", "cvs", *cli]) == 1
    err = capsys.readouterr().err
    assert f"{bad} was not imported; nothing was changed. Fix these lines:" in err
    assert "  line 12: question 'loyalty': '60' is not a whole number from 0 to 10" in err
    assert "  line 16: question 'loyalty': '60' is not a whole number from 0 to 10" in err
    assert main(["wave", "list", *cli]) == 0
    assert "2022" not in capsys.readouterr().out
    assert main(["responses", "import", str(bad), "--survey=cvs", "--date=12/3", *cli]) == 2
    assert "--date '12/3' is not a date; write YYYY-MM-DD" in capsys.readouterr().err
    assert main(["responses", "import", str(bad), "--survey", "kvs", *cli]) == 1
    assert "Unknown survey 'kvs'" in capsys.readouterr().err


PEOPLE = (
    "Jan Jansen",
    "Piet Smit",
    "Anna de Vries",
    "Els Bakker",
    "Kees Visser",
    "Mia Mulder",
    "Tom Bos",
    "Eva Dekker",
    "Sem Peters",
    "Lotte Vos",
    "Noah Jacobs",
    "Fleur Maas",
)


def test_columns_that_identify_people_are_refused_and_never_reach_a_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The insider's import: names, contacts and customer numbers under headers the blocked
    list did not know, and a ticket code unique to each respondent. They were stored on
    the "anonymous" responses and printed as the group names of breakdowns."""
    cli = cli_options(tmp_path)
    path = tmp_path / "paper.csv"
    header = ("satisfaction", "loyalty", "recommendation", "Naam", "E-mail", "Phone Number")
    header += ("klantnummer", "ticket", "segment")
    rows = [
        (
            *(7, 8, 9 - i % 3, name, f"{name.split()[0].lower()}@example.nl"),
            *(f"+31 6 1234 56{i:02d}", f"K{1000 + i}", f"T-{7000 + 7 * i}"),
            ("retail", "wholesale")[i % 2],
        )
        for i, name in enumerate(PEOPLE)
    ]
    path.write_bytes(csv_bytes(header, rows))
    command = ["responses", "import", str(path), "--survey=cvs", "--wave=Paper"]
    assert main([*command, "--date=2024-01-08", *cli]) == 1
    err = capsys.readouterr().err
    assert f"{path} was not imported; nothing was changed" in err
    for column in ("naam", "e_mail", "phone_number", "klantnummer"):
        assert f"column {column!r} would tie anonymous answers to a person" in err, err
    assert "column 'ticket' has a different value for most respondents" in err, err
    assert "'segment'" not in err
    assert main(["wave", "list", *cli]) == 0
    assert "Paper" not in capsys.readouterr().out
    # Without those columns the same answers import, and no report shows a person.
    path.write_bytes(csv_bytes((*header[:3], "segment"), [(*r[:3], r[-1]) for r in rows]))
    assert main([*command, "--date=2024-01-08", *cli]) == 0
    assert capsys.readouterr().out == "Paper: 12 respondents imported\n"
    assert main(["report", "--survey", "cvs", *cli]) == 0
    report = capsys.readouterr().out
    assert "By segment" in report
    assert not [name for name in PEOPLE if name in report]
    assert "@example.nl" not in report and "+31 6" not in report
    assert "K1000" not in report and "T-7000" not in report


@pytest.mark.parametrize(
    "header",
    [
        # Dutch
        "Naam",
        "Voornaam",
        "Achternaam",
        "E-mail",
        "E-mailadres",
        "Telefoon",
        "Telefoonnummer",
        "Mobiel",
        "Klantnummer",
        "Klant ID",
        "Adres",
        "Postcode",
        "Geboortedatum",
        # English
        "Name",
        "Full name",
        "Email",
        "Mail",
        "Phone",
        "phone_number",
        "Customer number",
        "Customer ID",
        "Address",
        "ZIP",
        "Birth date",
        # French
        "Nom",
        "Prénom",
        "Courriel",
        "Téléphone",
        "Numéro client",
        "Adresse",
        "Code postal",
        "Date de naissance",
        # German
        "Vorname",
        "Nachname",
        "Telefon",
        "Handy",
        "Kundennummer",
        "Straße",
        "PLZ",
        "Geburtsdatum",
        # the names refused before
        "ref",
        "telegram",
        "slack",
    ],
)
def test_a_header_that_names_a_person_is_refused_in_any_language(header: str) -> None:
    data = csv_bytes(("satisfaction", header), [(7, "x"), (8, "y")])
    with pytest.raises(CsvRejected) as refused:
        parse(data, options=ImportOptions(wave="2025", day=date(2025, 3, 10)))
    [(line, reason)] = refused.value.problems
    assert line == 1 and "would tie anonymous answers to a person; leave it out" in reason


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("jan.jansen@example.nl", "an e-mail address"),
        ("Jan <j.jansen@bedrijf.co.uk>", "an e-mail address"),
        ("+31 6 12345678", "a phone number"),
        ("06-12345678", "a phone number"),
        ("(020) 123 45 67", "a phone number"),
        ("+33 1 23 45 67 89", "a phone number"),
        ("0171/1234567", "a phone number"),
    ],
)
def test_a_column_with_an_e_mail_address_or_phone_number_is_refused(value: str, kind: str) -> None:
    rows = [(7, "retail", "plain"), (8, "retail", value), (6, "public", value)]
    with pytest.raises(CsvRejected) as refused:
        parse(
            csv_bytes(("satisfaction", "segment", "contact"), rows),
            options=ImportOptions(wave="2025", day=date(2025, 3, 10)),
        )
    message = f"column 'contact' holds {kind}, which would tie anonymous answers to a person"
    assert refused.value.problems == [(3, message + "; leave the column out")]


def test_a_column_of_mostly_unique_values_is_refused_from_ten_respondents() -> None:
    options = ImportOptions(wave="2025", day=date(2025, 3, 10))
    header = ("respondent", "satisfaction", "segment", "city")
    cities = ["Utrecht", "Utrecht", "Zwolle", "Zwolle"] + [f"Dorp {i}" for i in range(7)]
    rows = [(f"R{i}", 7, "retail", city) for i, city in enumerate(cities)]
    # Nine respondents: too few for uniqueness to say much; coarsening hides them instead.
    assert len(parse(csv_bytes(header, rows[:9]), options=options)[0].respondents) == 9
    with pytest.raises(CsvRejected) as refused:
        parse(csv_bytes(header, rows), options=options)
    # The respondent column is unique too, but it is never stored.
    assert refused.value.problems == [
        (
            1,
            "column 'city' has a different value for most respondents (7 of 11 values in"
            " wave '2025' occur once), so it would single people out; leave it out or group"
            " its values",
        )
    ]
    # Half of the values once is not most: the column is an attribute like any other.
    grouped = cities[:4] + ["Urk"] * 2 + [f"Dorp {i}" for i in range(5)]
    rows = [(f"R{i}", 7, "retail", city) for i, city in enumerate(grouped)]
    assert len(parse(csv_bytes(header, rows), options=options)[0].respondents) == 11


@pytest.mark.parametrize(
    "value", ["2023-03-14", "14-03-2023", "1234 AB", "42", "€ 12.500", "retail", "NL-Noord"]
)
def test_ordinary_attribute_values_are_not_taken_for_contact_details(value: str) -> None:
    rows = [(7, "retail", value), (8, "public", value)]
    waves = parse(
        csv_bytes(("satisfaction", "segment", "since"), rows),
        options=ImportOptions(wave="2025", day=date(2025, 3, 10)),
    )
    assert len(waves[0].respondents) == 2
