"""`klantstem demo`, `klantstem report` in every format, and `klantstem evidence` (the
demo's own checks, the same seed giving the same figures among them, are in test_demo)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import main

TODAY = "2026-11-23"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo organisation, written once for this module's tests (they only read it)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    assert main(["demo", "--db", url, "--today", TODAY]) == 0
    return url


def json_report(db: str, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["report", "--db", db, "--format", "json", *args]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def test_demo_then_report_covers_the_latest_kto_wave_with_everything_g_r1_asks(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json_report(demo_db, capsys)
    assert data["survey"]["id"] == "kto" and data["scope"]["kind"] == "wave"
    assert data["scope"]["label"] == "KTO 2026 autumn"
    assert data["respondents"]["invited"] == 240 and 0 < data["respondents"]["response_rate"] < 1
    assert data["totals"]["cvs"]["margin"] > 0 and data["totals"]["cvs"]["pass"] is not None
    assert data["trend"]["labels"] == ["KTO 2026 spring", "KTO 2026 autumn"]
    assert {b["kind"] for b in data["breakdowns"]} == {"attribute", "classification", "nps_group"}
    assert len(data["mirror"]["dimensions"]) == 9 and data["mirror"]["discrepancies"]
    assert data["follow_up"]["raised"] > 0
    assert {c["status"] for c in data["certificate"]["criteria"]} >= {"met", "not_met"}
    assert data["conclusions"] and data["recommendations"]


def test_json_and_html_show_the_same_figures(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json_report(demo_db, capsys)
    out = tmp_path / "report.html"
    assert main(["report", "--db", demo_db, "--format", "html", "--out", str(out)]) == 0
    html = out.read_text("utf-8")
    cvs = data["totals"]["cvs"]
    # The HTML shows the JSON's unrounded figures with one decimal.
    assert f'<tr data-key="cvs" data-n="{cvs["n"]}"><td>CVS</td>' in html
    assert f"<td>{cvs['mean']:.1f}</td>" in html
    for question in data["questions"]:
        if question["metric"] == "grade":
            assert f"<td>{question['mean']:.1f}</td>" in html
    assert html.count("data:image/svg+xml;base64,") == 4
    for text in data["recommendations"]:
        assert text["text"].replace("'", "&#x27;") in html


def test_text_and_csv_outputs(demo_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["report", "--db", demo_db]) == 0
    text = capsys.readouterr().out
    assert "Results at total level" in text and "Appendix: the questionnaire" in text
    assert main(["report", "--db", demo_db, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    cvs = next(r for r in rows if r["section"] == "total" and r["figure"] == "cvs")
    assert float(cvs["value"]) > 0 and cvs["passed"] in ("yes", "no")
    assert any(r["section"] == "breakdown" and r["key"] == "segment" for r in rows)


def test_report_in_dutch(demo_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    data = json_report(demo_db, capsys, "--lang", "nl")
    assert data["language"] == "nl"
    capsys.readouterr()
    assert main(["report", "--db", demo_db, "--lang", "nl"]) == 0
    # Babel writes Dutch decimals with a comma.
    assert f"{data['totals']['cvs']['mean']:.1f}".replace(".", ",") in capsys.readouterr().out


def test_other_surveys_and_periods_of_the_demo(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    mto = json_report(demo_db, capsys, "--survey", "mto")
    assert mto["survey"]["always_anonymous"] and mto["totals"]["nps"]["question"] == "enps"
    assert mto["follow_up"] is None
    mirror = json_report(demo_db, capsys, "--survey", "mirror")
    assert mirror["mirror"]["customer_wave"] == "KTO 2026 autumn"
    # No support-call survey goes to a customer asked anything in the 30 days before (the
    # KTO of 9 October), so September is the last full month of CSAT.
    csat = json_report(demo_db, capsys, "--survey", "csat", "--period", "2026-09")
    assert csat["scope"]["kind"] == "period" and csat["trend"]["unit"] == "month"
    assert len(csat["trend"]["labels"]) >= 4 and csat["totals"]["csat"]["csat"] is not None


def test_pdf_when_weasyprint_is_installed(demo_db: str, tmp_path: Path) -> None:
    pytest.importorskip("weasyprint", reason="the pdf extra is not installed")
    out = tmp_path / "report.pdf"
    assert main(["report", "--db", demo_db, "--format", "pdf", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--wave", "no such wave"], "There is no wave 'no such wave'."),
        (["--survey", "cvs", "--period", "2026-13"], "is not a period"),
        (["--survey", "nope"], "Unknown survey 'nope'"),
    ],
)
def test_bad_selections_are_refused(
    demo_db: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    capsys.readouterr()
    assert main(["report", "--db", demo_db, *args]) == 1
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


def test_demo_refuses_a_database_with_data(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["demo", "--db", demo_db]) == 1
    assert "already holds data" in capsys.readouterr().err


def test_evidence_turns_a_criterion_into_met(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'e.db'}"
    assert main(["demo", "--db", db, "--today", TODAY, "--days", "45"]) == 0
    before = json_report(db, capsys)["certificate"]["criteria"]
    assert {c["id"]: c["status"] for c in before}["ways_of_working"] == "needs_evidence"
    note = "Ways of working per dimension in the quality handbook, chapter 4."
    assert main(["evidence", "add", "ways_of_working", "--note", note, "--db", db]) == 0
    assert main(["evidence", "list", "--db", db]) == 0
    assert note in capsys.readouterr().out
    after = json_report(db, capsys)["certificate"]
    assert {c["id"]: c["status"] for c in after["criteria"]}["ways_of_working"] == "met"
    assert note in [e["note"] for e in after["evidence"]]


def test_evidence_needs_a_known_criterion_and_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'e.db'}"
    with pytest.raises(SystemExit):
        main(["evidence", "add", "free_lunch", "--note", "x", "--db", db])
    assert main(["evidence", "add", "ways_of_working", "--note", "  ", "--db", db]) == 1
    assert "note" in capsys.readouterr().err
    assert main(["evidence", "list", "--db", db]) == 0
    assert "No evidence recorded yet" in capsys.readouterr().out
