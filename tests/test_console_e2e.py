"""`klantstem try` and `klantstem stats` as a user runs them: a subprocess with piped input."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

KLANTSTEM = str(Path(sys.executable).parent / "klantstem")


def klantstem(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "KLANTSTEM_LANGUAGE": "en",
        "KLANTSTEM_DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}",
        "USER": "tester",
        "LOGNAME": "tester",
    }
    return subprocess.run(
        [KLANTSTEM, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )


def stored_answers(tmp_path: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(tmp_path / "k.db") as db:
        return sorted(db.execute("SELECT question_id, score FROM answers").fetchall())


@pytest.mark.parametrize("consent", ["anonymous", "2", "ANONYMOUS"])
def test_scripted_cvs_prints_the_score_and_where_it_went(tmp_path: Path, consent: str) -> None:
    result = klantstem(
        tmp_path, "try", "--survey", "cvs", "--lang", "en", stdin=f"{consent}\n8\n9\n10\n"
    )
    assert result.returncode == 0, result.stderr
    assert "Your Customer Value Score (CVS): 9.0" in result.stdout
    assert f"anonymous answer in {tmp_path / 'k.db'}" in result.stdout
    assert "at least 5 anonymous answers can be released together" in result.stdout
    # One anonymous answer alone is held, never stored as a response.
    assert stored_answers(tmp_path) == []


def test_bad_input_gets_a_reprompt_and_stores_nothing_for_it(tmp_path: Path) -> None:
    result = klantstem(
        tmp_path,
        "try",
        "--survey",
        "cvs",
        "--lang",
        "en",
        stdin="maybe\n1\neleven\n8/10\n 9 \n-3\n10\n",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("Please answer with the number (1 to 2)") == 1
    assert result.stdout.count("Please answer with a whole number from 0 to 10") == 2
    assert stored_answers(tmp_path) == [("loyalty", 9), ("recommendation", 10), ("satisfaction", 8)]


def test_the_fifth_anonymous_answer_releases_all_five(tmp_path: Path) -> None:
    for scores in ("8\n9\n10", "7\n7\n7", "6\n5\n4", "9\n9\n9"):
        klantstem(tmp_path, "try", "--lang", "en", stdin=f"2\n{scores}\n\n")
    assert stored_answers(tmp_path) == []
    klantstem(tmp_path, "try", "--lang", "en", stdin="2\n1\n2\n3\n\n")
    assert len(stored_answers(tmp_path)) == 15
    with sqlite3.connect(tmp_path / "k.db") as db:
        days = db.execute("SELECT DISTINCT completed_at FROM responses").fetchall()
        held = db.execute("SELECT COUNT(*) FROM held_responses").fetchone()
    assert len(days) == 1 and days[0][0].endswith("T00:00:00Z")  # one date, the day only
    assert held == (0,)


def test_back_changes_the_previous_answer(tmp_path: Path) -> None:
    result = klantstem(tmp_path, "try", "--lang", "en", stdin="2\n8\n9\n/back\n5\n10\n")
    assert result.returncode == 0, result.stderr
    assert "Current answer: 9" in result.stdout
    assert "(the mean of 8, 5 and 10)" in result.stdout


def test_end_of_input_keeps_the_session_and_the_same_command_goes_on(tmp_path: Path) -> None:
    first = klantstem(tmp_path, "try", "--survey", "cvs", "--lang", "en", stdin="1\n8\n")
    assert first.returncode == 3
    assert "Input ended before the survey was complete" in first.stderr
    assert stored_answers(tmp_path) == []
    second = klantstem(tmp_path, "try", "--survey", "cvs", "--lang", "en", stdin="9\n10\n")
    assert second.returncode == 0, second.stderr
    assert "Going on with your unfinished survey" in second.stdout
    assert "named response" in second.stdout
    assert stored_answers(tmp_path) == [("loyalty", 9), ("recommendation", 10), ("satisfaction", 8)]


def test_stop_keeps_nothing(tmp_path: Path) -> None:
    result = klantstem(tmp_path, "try", "--lang", "en", stdin="2\n8\n/stop\n")
    assert result.returncode == 0
    assert "Nothing of this conversation was kept" in result.stdout
    assert stored_answers(tmp_path) == []


def test_stats_shows_the_waiting_answer_and_hides_the_cvs_of_a_small_group(
    tmp_path: Path,
) -> None:
    klantstem(tmp_path, "try", "--lang", "en", stdin="anonymous\n8\n9\n10\n")
    result = klantstem(tmp_path, "stats")
    assert result.returncode == 0, result.stderr
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("cvs "))
    assert line.split() == ["cvs", "0", "0", "0", "1", "0"]
    assert "1 anonymous answer waits for release" in result.stdout
    klantstem(tmp_path, "try", "--lang", "en", stdin="named\n8\n9\n10\n")
    result = klantstem(tmp_path, "stats")
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("cvs "))
    assert line.split() == ["cvs", "1", "1", "0", "1", "0"]
    assert "figures are shown from 5" in result.stdout


def test_stats_shows_the_cvs_from_five_respondents(tmp_path: Path) -> None:
    # Five respondents: (8+9+10)/3 = 9.0 four times and (4+5+6)/3 = 5.0 once; mean 8.2.
    for _ in range(4):
        klantstem(tmp_path, "try", "--lang", "en", stdin="2\n8\n9\n10\n")
    klantstem(tmp_path, "try", "--lang", "en", stdin="2\n4\n5\n6\n\n")
    result = klantstem(tmp_path, "stats")
    assert "CVS (cvs): 8.2 from 5 respondents" in result.stdout


def test_unknown_survey_is_refused(tmp_path: Path) -> None:
    result = klantstem(tmp_path, "try", "--survey", "nope")
    assert result.returncode == 1
    assert "Unknown survey 'nope'" in result.stderr


def test_invalid_setting_names_the_variable(tmp_path: Path) -> None:
    env = {**os.environ, "KLANTSTEM_MIN_GROUP_SIZE": "2"}
    result = subprocess.run(
        [KLANTSTEM, "stats"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60
    )
    assert result.returncode == 2
    assert "KLANTSTEM_MIN_GROUP_SIZE='2'" in result.stderr and "3 or more" in result.stderr
