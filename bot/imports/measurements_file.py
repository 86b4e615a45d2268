"""The CSV format of earlier measurements, checked as a whole before anything is stored
(`klantstem responses import`; `klantstem responses export` writes the same format).

One row per respondent. `wave` and `date` (YYYY-MM-DD, the day the answers were given)
name the measurement, unless `--wave`/`--date` give them for the whole file. One column
per question id of the survey holds the answer: a whole number on the question's scale, a
choice id or label, or an open text; blank means not answered. A `respondent` column only
keeps the rows of one person together and is never stored. Every other column is an
attribute for breakdowns (segment, region, ...). A column named like a question of another
survey, or nearly like one of this survey's (`satisfation`), is refused as an unknown
question, so a typo cannot turn answers into an attribute.

Imported answers are anonymous by nature, so an attribute column whose values identify
people is refused, whatever its header:

- a header that names a person, a contact detail, a customer or personal number, an
  address or a birth date in Dutch, English, French or German (`naam`, `e-mail`,
  `telefoonnummer`, `klantnummer`, `prénom`, `Kundennummer`, `postcode`, ...), compared
  after lower-casing and dropping accents and separators (`personal_header`);
- a column any value of which looks like an e-mail address (something@domain.tld) or a
  phone number (only digits, spaces, `+ ( ) . - /`, with 9 to 15 digits) (`looks_personal`);
- a column whose values are mostly unique: in some wave that has at least `UNIQUE_FROM`
  (10) respondents with a value in it, more than half of those values occur only once.

The `respondent` column stays allowed: it only keeps one person's rows together and is
never stored. Coarsening the attributes that are stored is `MeasuredWave.stored_attributes`.

A wave's fingerprint hashes what is stored of it (the answers, the coarsened attributes,
the one date), independent of row and column order, so the same measurement imported
again is recognised, and a different one under its label refused.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from bot import i18n
from bot.imports.csvfile import FORMULA_STARTS, CsvRejected, CsvRow, attribute_columns, read_csv
from bot.storage.sql import compact_json
from flows import N_, Kind, Question, Survey, Translator
from scoring.coarsen import coarsen

WAVE, DATE, RESPONDENT, INVITED, SURVEY = "wave", "date", "respondent", "invited", "survey"
RESERVED = (WAVE, DATE, RESPONDENT)
PERSONAL = ("ref", "name", "email", "phone", "telegram", "slack")
"""Columns of the contacts file that would tie anonymous answers to a person."""
# fmt: off
_PERSON_HEADERS = frozenset(
    {
        *PERSONAL,
        # names
        "naam", "nom", "noms", "nome", "fullname", "initials", "initialen", "tussenvoegsel",
        # contact details
        "mail", "tel", "telnr", "gsm", "mobile", "mobil", "mobilenumber", "cell", "handy",
        "fax", "portable", "contactgegevens", "coordonnees", "kontaktdaten",
        # customer, personal and account numbers
        "id", "uid", "userid", "user", "login", "account", "accountnumber", "accountid",
        "relatienummer", "debiteurnummer", "lidnummer", "membernumber", "mitgliedsnummer",
        "bsn", "ssn", "nir", "matricule", "personeelsnummer", "personalnummer",
        "employeeid", "employeenumber", "ip", "client", "klant", "kunde", "customer",
        # addresses
        "straat", "street", "rue", "strasse", "huisnummer", "housenumber", "hausnummer",
        "zip", "plz", "cp", "postalcode", "codepostal",
        # birth dates
        "dob", "verjaardag",
    }
)
"""Headers (squashed: lower case, no accents, no separators) that identify a person."""
_PERSON_STEMS = (
    "email", "mailadres", "mailaddress", "courriel",
    "telefo", "telepho", "phone", "mobiel", "mobilnummer", "handynummer", "gsmnummer",
    "voornaam", "achternaam", "roepnaam", "vorname", "nachname", "prenom",
    "klantnummer", "klantnr", "klantid", "klantcode", "kundennummer", "kundennr", "kundenid",
    "customernumber", "customerno", "customerid", "clientid", "clientnumber", "clientnr",
    "numeroclient", "numclient", "idclient", "codeclient", "iban",
    "adres", "address", "postcode", "postleitzahl", "zipcode",
    "geboorte", "geburt", "naissance", "birth",
)
"""Parts of a squashed header that identify a person wherever they occur in it."""
# fmt: on
_PERSON_ENDINGS = ("naam", "name")
"""Endings of a squashed header that name someone (`klantnaam`, `first_name`)."""
UNIQUE_FROM = 10
"""From this many respondents with a value in a wave, a column of which more than half the
values occur once is refused as one that singles people out."""
_EMAIL = re.compile(r"[^\s@<>]+@[^\s@<>.]+(?:\.[^\s@<>.]+)*\.[^\s@<>.\d]{2,}")
_PHONE = re.compile(r"\+?[\d\s().\-/]+")
_PHONE_DIGITS = (9, 15)
WAVES_FILE = "waves.csv"
"""Beside an import file: how many people each wave asked (columns wave, invited, survey)."""
MAX_LABEL = 100
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WHOLE = re.compile(r"^\+?0*(\d{1,3})(?:[.,]0+)?$")
_NEAR_MISS = 0.85


class Answer(NamedTuple):
    """One stored answer: a score, a choice id or an open text."""

    question_id: str
    score: int | None
    choice: str | None
    text: str | None


class Respondent(NamedTuple):
    """One respondent as read from the file; `key` holds the answers' fingerprint tokens
    and `attributes_json` the attributes as given (for fingerprints of earlier imports)."""

    day: date
    attributes: tuple[tuple[str, str], ...]
    attributes_json: str
    answers: tuple[Answer, ...]
    key: str


@dataclass
class MeasuredWave:
    """One earlier measurement from the file: its respondents and, if known, how many
    people it asked; `line` is its first line, for messages."""

    label: str
    line: int
    respondents: list[Respondent] = field(default_factory=list)
    invited: int | None = None

    @property
    def first_day(self) -> date:
        """The earliest answer day."""
        return min(r.day for r in self.respondents)

    @property
    def last_day(self) -> date:
        """The latest answer day: the one date every stored response of the wave gets."""
        return max(r.day for r in self.respondents)

    def stored_attributes(self, k: int) -> list[str]:
        """The attributes to store, as JSON, one per respondent (in order): coarsened with
        `scoring.coarsen` so every combination occurs at least k times in the wave; a wave
        of fewer than k respondents keeps no attributes at all."""
        if len(self.respondents) < k:
            return ["{}"] * len(self.respondents)
        made: dict[tuple[tuple[str, str], ...], str] = {}
        out = []
        for record in coarsen([dict(r.attributes) for r in self.respondents], k):
            items = tuple(sorted(record.items()))
            text = made.get(items)
            out.append(text if text is not None else made.setdefault(items, compact_json(record)))
        return out

    def fingerprint(self, survey_id: str, stored: Sequence[str]) -> str:
        """A hash of what is stored of the wave (answers, `stored` attributes, the one
        date), the same whatever the order of rows and columns."""
        digest = hashlib.sha256(f"{survey_id}\x1e{self.last_day.isoformat()}".encode())
        lines = (f"{a}\x1e{r.key}" for a, r in zip(stored, self.respondents, strict=True))
        for line in sorted(lines):
            digest.update(b"\n" + line.encode())
        return digest.hexdigest()

    def earlier_fingerprint(self, survey_id: str) -> str:
        """The fingerprint that imports made before attributes were coarsened (every day and
        attribute as given), so re-importing such a file still changes nothing."""
        digest = hashlib.sha256(survey_id.encode())
        canonical = (
            f"{r.day.isoformat()}\x1e{r.attributes_json}\x1e{r.key}" for r in self.respondents
        )
        for line in sorted(canonical):
            digest.update(b"\n" + line.encode())
        return digest.hexdigest()


def personal_header(header: str) -> bool:
    """Whether a column's header names a person or their contact details, number, address
    or birth date (in nl, en, fr or de), after lower-casing and dropping accents and
    separators: `E-mail`, `Numéro client` and `klant_id` are `email`, `numeroclient`,
    `klantid`."""
    key = _squash(header)
    return (
        key in _PERSON_HEADERS
        or key.endswith(_PERSON_ENDINGS)
        or any(stem in key for stem in _PERSON_STEMS)
    )


def looks_personal(value: str) -> str | None:
    """ "email" or "phone" when a value looks like an e-mail address or a phone number."""
    if "@" in value and _EMAIL.search(value):
        return "email"
    text = value.strip()
    if _PHONE.fullmatch(text):
        digits = sum(c.isdigit() for c in text)
        if _PHONE_DIGITS[0] <= digits <= _PHONE_DIGITS[1]:
            return "phone"
    return None


def _squash(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isascii() and c.isalnum())


@dataclass(frozen=True)
class ImportOptions:
    """What the command line adds: one wave label and day for the whole file, and how many
    people were invited (`invited` for a file of one wave, or per wave from waves.csv)."""

    wave: str | None = None
    day: date | None = None
    invited: int | None = None
    invited_by_wave: Mapping[str, int] = field(default_factory=dict)


Check = Callable[[str], "tuple[Answer, str] | None"]
"""Reads one cell of a question: its answer and fingerprint token, or None if invalid."""


@dataclass(frozen=True)
class _Column:
    question: Question
    check: Check
    position: int


def parse_measurements(
    data: bytes,
    survey: Survey,
    options: ImportOptions,
    *,
    other_questions: Collection[str],
    today: date,
    tr: Translator,
) -> list[MeasuredWave]:
    """Validate a whole file; raises `CsvRejected` listing every bad line and why.

    `other_questions` are the question ids of the installation's other surveys.
    """
    header, rows = read_csv(data)
    columns, attributes, personal = _layout(header, survey, options, other_questions, tr)
    reader = _Reader(columns, attributes, header, options, today, tr)
    for row in rows:
        reader.read(row)
    waves = reader.finish()
    problems = personal + reader.problems + reader.personal_values()
    problems += _unique_columns(waves, [a for a in attributes if a not in reader.personal], tr)
    problems += _apply_invited(waves, options, tr)
    if problems:
        raise CsvRejected(sorted(problems, key=lambda p: p[0]))
    if not waves:
        raise CsvRejected([(2, tr.gettext("the file has a header but no rows"))])
    return waves


def parse_invited(data: bytes, survey_id: str, tr: Translator) -> dict[str, int]:
    """wave label -> invited, from a waves.csv (rows of other surveys are skipped); raises
    `CsvRejected` listing every bad line."""
    header, rows = read_csv(data)
    problems = [
        (1, tr.gettext("required column {column!r} is missing").format(column=c))
        for c in (WAVE, INVITED)
        if c not in header
    ] + [
        (
            1,
            tr.gettext("unknown column {column!r}; {file} has the columns {columns}").format(
                column=h, file=WAVES_FILE, columns=", ".join((SURVEY, WAVE, INVITED))
            ),
        )
        for h in header
        if h not in (SURVEY, WAVE, INVITED)
    ]
    if problems:
        raise CsvRejected(problems)
    out: dict[str, int] = {}
    lines: dict[str, int] = {}
    for row in rows:
        if row.problem:
            problems.append((row.line, row.problem))
            continue
        if row.cells.get(SURVEY, survey_id) not in (survey_id, ""):
            continue
        label, raw = row.cells[WAVE], row.cells[INVITED]
        if not label:
            problems.append((row.line, tr.gettext("the wave label is empty")))
        elif label in lines:
            problems.append(
                (
                    row.line,
                    tr.gettext("wave {label!r} appears on line {line} already").format(
                        label=label, line=lines[label]
                    ),
                )
            )
        if not raw.isdigit() or int(raw) < 1:
            problems.append(
                (
                    row.line,
                    tr.gettext("invited {value!r} is not a whole number of people").format(
                        value=raw
                    ),
                )
            )
        elif label and label not in lines:
            out[label], lines[label] = int(raw), row.line
    if problems:
        raise CsvRejected(problems)
    return out


def unescape(cell: str) -> str:
    """Undo the apostrophe that `bot.imports.csvfile.safe_cell` puts before formula-like text."""
    if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def _layout(
    header: list[str],
    survey: Survey,
    options: ImportOptions,
    other_questions: Collection[str],
    tr: Translator,
) -> tuple[list[_Column], list[str], list[tuple[int, str]]]:
    """The question columns (by question id), the attribute columns, and the refusals of
    columns whose header names a person (the rows are still read, so that every refusal
    is listed at once); raises `CsvRejected` (line 1) for every column that cannot be
    used when any other column is wrong."""
    own = {q.id: q for q in survey.questions}
    problems: list[tuple[int, str]] = []
    personal: list[tuple[int, str]] = []
    for column, given in ((WAVE, options.wave), (DATE, options.day)):
        if column in header and given is not None:
            message = N_(
                "the file has a {column!r} column and --{column} was given; use one of them"
            )
            problems.append((1, tr.gettext(message).format(column=column)))
        elif column not in header and given is None:
            message = N_("the file needs a {column!r} column, or --{column} for the whole file")
            problems.append((1, tr.gettext(message).format(column=column)))
    listing = ", ".join(own)
    rest: list[str] = []
    for h in header:
        if h in own or h in RESERVED:
            continue
        near = difflib.get_close_matches(h, own, 1, _NEAR_MISS)
        if near:
            message = N_(
                "column {column!r} is not a question of survey {survey!r}; did you mean {near!r}?"
            )
            problems.append(
                (1, tr.gettext(message).format(column=h, survey=survey.id, near=near[0]))
            )
        elif h in other_questions:
            message = N_(
                "column {column!r} is not a question of survey {survey!r}"
                " (its questions: {questions})"
            )
            problems.append(
                (1, tr.gettext(message).format(column=h, survey=survey.id, questions=listing))
            )
        elif personal_header(h):
            message = N_(
                "column {column!r} would tie anonymous answers to a person; leave it out"
                " (a {respondent!r} column may keep one person's rows together)"
            )
            personal.append((1, tr.gettext(message).format(column=h, respondent=RESPONDENT)))
            problems.append(personal[-1])
        else:
            rest.append(h)
    if not any(h in own for h in header):
        message = N_("no column is a question of survey {survey!r} (its questions: {questions})")
        problems.append((1, tr.gettext(message).format(survey=survey.id, questions=listing)))
    try:
        attributes = attribute_columns(rest, ())
    except CsvRejected as exc:
        problems += exc.problems
        attributes = []
    if len(problems) > len(personal):
        raise CsvRejected(problems)
    # Read in question id order, so answers and fingerprint tokens come out sorted.
    columns = [_Column(own[h], _check(own[h]), header.index(h)) for h in sorted(own) if h in header]
    return columns, attributes, personal


def _check(question: Question) -> Check:
    """How a cell of this question is read; answers are built once per possible value."""
    qid = question.id
    if question.kind is Kind.SCALE:
        scores = {
            str(v): (Answer(qid, v, None, None), f"{qid}={v}")
            for v in range(question.low, question.high + 1)
        }

        def scale(cell: str) -> tuple[Answer, str] | None:
            found = scores.get(cell)
            if found is None and (whole := _WHOLE.match(cell)):
                found = scores.get(str(int(whole.group(1))))
            return found

        return scale
    if question.kind is Kind.CHOICE:
        names: dict[str, tuple[Answer, str]] = {}
        for c in question.choices:
            made = (Answer(qid, None, c.id, None), f"{qid}:{c.id}")
            names[c.id.casefold()] = made
            for lang in i18n.LANGUAGES:
                label = c.label.render(lang, i18n.translator(lang))
                names.setdefault(label.strip().casefold(), made)
            names.setdefault(c.label.default.strip().casefold(), made)
        return lambda cell: names.get(cell.casefold())

    def text(cell: str) -> tuple[Answer, str]:
        value = unescape(cell)
        return Answer(qid, None, None, value), f"{qid}~{compact_json(value)}"

    return text


class _Group:
    """One respondent's rows (a `respondent` column), merged into one response."""

    def __init__(self, line: int, day: date) -> None:
        self.line, self.day = line, day
        self.attributes: dict[str, tuple[str, int]] = {}
        self.answers: dict[str, tuple[Answer, str, int]] = {}


class _Reader:
    """Reads rows into waves, collecting every problem with its line."""

    def __init__(
        self,
        columns: list[_Column],
        attributes: list[str],
        header: list[str],
        options: ImportOptions,
        today: date,
        tr: Translator,
    ) -> None:
        self.columns, self.attributes, self.options = columns, attributes, options
        self.today, self.tr = today, tr
        self.wave_column, self.date_column = WAVE in header, DATE in header
        self.respondent_column = RESPONDENT in header
        self.problems: list[tuple[int, str]] = []
        self.waves: dict[str, MeasuredWave] = {}
        self.groups: dict[tuple[str, str], _Group] = {}
        self.days: dict[str, date | str] = {}
        self.attribute_json: dict[tuple[tuple[str, str], ...], str] = {}
        self.kinds: dict[str, str | None] = {}
        self.personal: dict[str, tuple[int, str]] = {}
        """column -> the first line and kind ("email", "phone") of a value that is personal"""

    def read(self, row: CsvRow) -> None:
        """Check one row and add it to its wave (or to its respondent's other rows)."""
        if row.problem:
            self.problems.append((row.line, row.problem))
            return
        cells, found = row.cells, []
        label = unescape(cells[WAVE]) if self.wave_column else self.options.wave or ""
        if not label:
            found.append(self.tr.gettext("the wave label is empty"))
        elif len(label) > MAX_LABEL:
            message = N_("the wave label is longer than {max} characters")
            found.append(self.tr.gettext(message).format(max=MAX_LABEL))
        day = self._day(cells[DATE]) if self.date_column else self.options.day
        if not isinstance(day, date):
            found.append(day or "")
        answers, tokens, invalid = [], [], []
        for column in self.columns:
            cell = cells[column.question.id]
            if not cell:
                continue
            read = column.check(cell)
            if read is None:
                invalid.append((column.position, self._invalid(column.question, cell)))
            else:
                answers.append(read[0])
                tokens.append(read[1])
        found += [message for _, message in sorted(invalid)]
        attributes = tuple((a, unescape(v)) for a in self.attributes if (v := cells[a]))
        for name, value in attributes:
            kind = self.kinds.get(value, "")
            if kind == "":
                kind = self.kinds.setdefault(value, looks_personal(value))
            if kind and name not in self.personal:
                self.personal[name] = (row.line, kind)
        respondent = unescape(cells[RESPONDENT]) if self.respondent_column else ""
        if not answers and not respondent:
            found.append(self.tr.gettext("the row answers no question"))
        if found:
            self.problems.extend((row.line, p) for p in found)
            return
        assert isinstance(day, date)
        wave = self.waves.get(label) or self.waves.setdefault(label, MeasuredWave(label, row.line))
        if respondent:
            self._merge(row.line, (label, respondent), day, attributes, answers, tokens)
        else:
            wave.respondents.append(self._respondent(day, attributes, answers, tokens))

    def finish(self) -> list[MeasuredWave]:
        """The waves in file order, with the merged respondents added."""
        for (label, respondent), group in self.groups.items():
            if not group.answers:
                message = N_("respondent {respondent!r} answers no question")
                self.problems.append(
                    (group.line, self.tr.gettext(message).format(respondent=respondent))
                )
                continue
            merged = [group.answers[q] for q in sorted(group.answers)]
            attributes = tuple(
                (a, group.attributes[a][0]) for a in self.attributes if a in group.attributes
            )
            self.waves[label].respondents.append(
                self._respondent(
                    group.day, attributes, [m[0] for m in merged], [m[1] for m in merged]
                )
            )
        return [w for w in self.waves.values() if w.respondents]

    def personal_values(self) -> list[tuple[int, str]]:
        """For each column holding an e-mail address or a phone number: its first such line
        and why the column is refused."""
        messages = {
            "email": N_(
                "column {column!r} holds an e-mail address, which would tie anonymous answers"
                " to a person; leave the column out"
            ),
            "phone": N_(
                "column {column!r} holds a phone number, which would tie anonymous answers"
                " to a person; leave the column out"
            ),
        }
        return [
            (line, self.tr.gettext(messages[kind]).format(column=name))
            for name, (line, kind) in self.personal.items()
        ]

    def _respondent(
        self,
        day: date,
        attributes: tuple[tuple[str, str], ...],
        answers: list[Answer],
        tokens: list[str],
    ) -> Respondent:
        text = self.attribute_json.get(attributes)
        if text is None:
            text = self.attribute_json.setdefault(attributes, compact_json(dict(attributes)))
        return Respondent(day, attributes, text, tuple(answers), "\x1e".join(tokens))

    def _merge(
        self,
        line: int,
        key: tuple[str, str],
        day: date,
        attributes: tuple[tuple[str, str], ...],
        answers: list[Answer],
        tokens: list[str],
    ) -> None:
        group = self.groups.setdefault(key, _Group(line, day))
        respondent, tr = key[1], self.tr
        found = []
        if day != group.day:
            message = N_(
                "respondent {respondent!r} has date {value} here but {other} on line {line}"
            )
            found.append(
                tr.gettext(message).format(
                    respondent=respondent, value=day, other=group.day, line=group.line
                )
            )
        for name, value in attributes:
            other = group.attributes.setdefault(name, (value, line))
            if other[0] != value:
                message = N_(
                    "respondent {respondent!r} has {column} {value!r} here"
                    " but {other!r} on line {line}"
                )
                found.append(
                    tr.gettext(message).format(
                        respondent=respondent,
                        column=name,
                        value=value,
                        other=other[0],
                        line=other[1],
                    )
                )
        for answer, token in zip(answers, tokens, strict=True):
            earlier = group.answers.setdefault(answer.question_id, (answer, token, line))
            if earlier[2] != line:
                message = N_(
                    "respondent {respondent!r} answered question {question!r}"
                    " on line {line} already"
                )
                found.append(
                    tr.gettext(message).format(
                        respondent=respondent, question=answer.question_id, line=earlier[2]
                    )
                )
        self.problems.extend((line, p) for p in found)

    def _day(self, cell: str) -> date | str:
        """The day of a date cell, or why it is not one (remembered per distinct cell)."""
        known = self.days.get(cell)
        if known is not None:
            return known
        day: date | str
        try:
            day = date.fromisoformat(cell) if _DATE.match(cell) else ""
        except ValueError:
            day = ""
        if not day:
            message = N_("date {value!r} is not a date; write YYYY-MM-DD")
            day = self.tr.gettext(message).format(value=cell)
        elif isinstance(day, date) and day > self.today:
            day = self.tr.gettext("date {value} is in the future").format(value=cell)
        return self.days.setdefault(cell, day)

    def _invalid(self, question: Question, cell: str) -> str:
        if question.kind is Kind.SCALE:
            message = N_(
                "question {question!r}: {value!r} is not a whole number from {low} to {high}"
            )
            return self.tr.gettext(message).format(
                question=question.id, value=cell, low=question.low, high=question.high
            )
        message = N_("question {question!r}: {value!r} is not one of its choices ({choices})")
        choices = ", ".join(c.id for c in question.choices)
        return self.tr.gettext(message).format(question=question.id, value=cell, choices=choices)


def _unique_columns(
    waves: list[MeasuredWave], attributes: list[str], tr: Translator
) -> list[tuple[int, str]]:
    """Attribute columns whose values are mostly unique in some wave: from `UNIQUE_FROM`
    respondents with a value, more than half of the values occur once (line 1, one
    problem per column, naming the first such wave)."""
    problems = []
    for name in attributes:
        for wave in waves:
            counts = Counter(v for r in wave.respondents for a, v in r.attributes if a == name)
            given = sum(counts.values())
            once = sum(1 for n in counts.values() if n == 1)
            if given >= UNIQUE_FROM and 2 * once > given:
                message = N_(
                    "column {column!r} has a different value for most respondents"
                    " ({once} of {given} values in wave {label!r} occur once), so it would"
                    " single people out; leave it out or group its values"
                )
                text = tr.gettext(message).format(
                    column=name, once=once, given=given, label=wave.label
                )
                problems.append((1, text))
                break
    return problems


def _apply_invited(
    waves: list[MeasuredWave], options: ImportOptions, tr: Translator
) -> list[tuple[int, str]]:
    """Give each wave its invited count; problems where that cannot be right."""
    problems = []
    if options.invited is not None and len(waves) > 1:
        message = N_(
            "--invited is for a file with one wave, and this one has {count}:"
            " give each wave's invited count in {file}"
        )
        problems.append((1, tr.gettext(message).format(count=len(waves), file=WAVES_FILE)))
    for wave in waves:
        given = options.invited
        wave.invited = given if given is not None else options.invited_by_wave.get(wave.label)
        if wave.invited is not None and wave.invited < len(wave.respondents):
            message = N_("wave {label!r} has {n} respondents, more than the {invited} invited")
            problems.append(
                (
                    wave.line,
                    tr.gettext(message).format(
                        label=wave.label, n=len(wave.respondents), invited=wave.invited
                    ),
                )
            )
    return problems
