"""Reading and checking a school-import CSV file. Nothing here writes to the database.

- `decode_upload(raw)` turns the uploaded bytes into text: UTF-8 only (with or without a
  byte-order mark); anything else is refused with a reason rather than guessed at.
- `load_context(partnership)` is the one read: the partnership's local authorities,
  clusters and schools, in three queries whatever the size of the file.
- `validate(text, context)` is pure: it returns an `ImportReport` listing every problem
  with its spreadsheet row number (the header is row 1) and, for a valid file, the
  schools it would create and update. `services.import_schools` runs it again inside
  its transaction, so what is written is always what was checked against the database
  as it is at that moment.

The columns and rules are documented for people in docs/school-import.md.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnership.models import Partnership

from .models import Cluster, LanguageMedium, LocalAuthority, Phase, School

#: Data rows (not counting the header) one file may hold.
MAX_ROWS = 5000
#: The largest number of pupils accepted; a larger figure is almost certainly a typing slip.
MAX_PUPILS = 10_000
#: Cells starting with one of these may run as a formula when the file is opened in a
#: spreadsheet ("CSV injection"), so they are refused, not silently altered.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: How much of a bad value a message quotes back.
QUOTE_CHARS = 40

_model_field = School._meta.get_field


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    description: Promise


COLUMNS: tuple[Column, ...] = (
    Column(
        "official_number",
        True,
        gettext_lazy(
            "The URN (England) or LA establishment number (Wales). Identifies the school: "
            "a number already in the portal updates that school, a new one adds a school."
        ),
    ),
    Column("name", True, gettext_lazy("The school's name.")),
    Column(
        "phase",
        True,
        gettext_lazy(
            "nursery, primary, secondary, all_through, special or pru (or the full name, "
            "such as All-through or Pupil referral unit)."
        ),
    ),
    Column(
        "language_medium",
        False,
        gettext_lazy(
            "english, welsh, bilingual or dual_stream (or English-medium, Welsh-medium, "
            "Dual-stream). Needed for a new school; left empty, an existing school keeps its own."
        ),
    ),
    Column(
        "local_authority",
        True,
        gettext_lazy(
            "The name or code of one of the partnership's local authorities. It must "
            "already exist: the import does not add local authorities."
        ),
    ),
    Column(
        "cluster",
        False,
        gettext_lazy(
            "The name of an existing cluster. The import does not add clusters. "
            "An empty cell takes the school out of its cluster."
        ),
    ),
    Column(
        "pupils",
        False,
        gettext_lazy("A whole number of pupils, 0 to 10,000. An empty cell clears it."),
    ),
    Column(
        "fsm_percent",
        False,
        gettext_lazy(
            "Free school meals as a percentage, 0 to 100, with at most one decimal place "
            "(18.5 or 18.5%). An empty cell clears it."
        ),
    ),
    Column("postcode", False, gettext_lazy("At most 10 characters. An empty cell clears it.")),
    Column(
        "report_language",
        False,
        gettext_lazy(
            "en or cy (or English, Welsh, Cymraeg): the language of the school's reports. "
            "Left empty, a new school takes the partnership's default language and an "
            "existing school keeps its own."
        ),
    ),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
REQUIRED_COLUMNS = tuple(c.name for c in COLUMNS if c.required)

#: The model attributes an import sets (foreign keys by id). Support categories and
#: challenge advisers are deliberately not imported: a category change needs a reason and
#: goes into the school's history, and advisers are people, not spreadsheet text.
IMPORTED_ATTRS = (
    "name",
    "phase",
    "language_medium",
    "local_authority_id",
    "cluster_id",
    "pupils",
    "fsm_percent",
    "postcode",
    "report_language",
)

#: Columns people are likely to add that the import refuses, with the reason.
_REFUSED_COLUMNS = {
    "support_category": gettext_lazy(
        "Support categories are not imported: set each one on the school's page, so its "
        "history records who set it and why."
    ),
    "category": gettext_lazy(
        "Support categories are not imported: set each one on the school's page, so its "
        "history records who set it and why."
    ),
    "challenge_adviser": gettext_lazy(
        "Challenge advisers are not imported: choose them on each school's edit page."
    ),
}


class ImportFileError(Exception):
    """The upload cannot be read as a CSV text file at all (wrong encoding, binary...)."""


@dataclass(frozen=True)
class Problem:
    row: int
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s: %(problem)s") % {"row": self.row, "problem": self.message}


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class PlannedSchool:
    """One school the file would create (school_id None) or update."""

    row: int
    official_number: str
    school_id: int | None
    #: The whole target state of the imported attributes (existing values merged with the file).
    values: Mapping[str, Any]
    #: The same, as text for the preview page, by column name.
    display: Mapping[str, str]
    changes: tuple[Change, ...] = ()


@dataclass
class ImportReport:
    problems: list[Problem] = field(default_factory=list)
    creates: list[PlannedSchool] = field(default_factory=list)
    updates: list[PlannedSchool] = field(default_factory=list)
    unchanged: list[PlannedSchool] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.problems

    @property
    def row_count(self) -> int:
        return len(self.creates) + len(self.updates) + len(self.unchanged)

    def add(self, row: int, message: str) -> None:
        self.problems.append(Problem(row, message))


class ImportRejected(ValidationError):
    """The file is not valid (any more): nothing was written. Carries the fresh report."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__([str(p) for p in report.problems] or [_("The file is not valid.")])
        self.report = report


@dataclass(frozen=True)
class ExistingSchool:
    id: int
    official_number: str
    values: Mapping[str, Any]


@dataclass(frozen=True)
class ImportContext:
    """What the file is checked against: the partnership's rows, as plain data."""

    default_report_language: str
    local_authorities: Mapping[int, tuple[str, str]]  # id -> (name, code)
    clusters: Mapping[int, str]  # id -> name
    schools: Mapping[str, ExistingSchool]  # by casefolded official number


def number_key(official_number: str) -> str:
    """Official numbers match whatever their letter case, as on the school form."""
    return official_number.strip().casefold()


def load_context(partnership: Partnership) -> ImportContext:
    """The partnership's local authorities, clusters and schools: three queries."""
    local_authorities = {
        pk: (name, code)
        for pk, name, code in LocalAuthority.objects.filter(partnership=partnership).values_list(
            "id", "name", "code"
        )
    }
    clusters = dict(Cluster.objects.filter(partnership=partnership).values_list("id", "name"))
    schools = {}
    for row in School.objects.filter(partnership=partnership).values(
        "id", "official_number", *IMPORTED_ATTRS
    ):
        pk, number = row.pop("id"), row.pop("official_number")
        schools[number_key(number)] = ExistingSchool(pk, number, row)
    return ImportContext(
        default_report_language=partnership.default_language,
        local_authorities=local_authorities,
        clusters=clusters,
        schools=schools,
    )


# --- Reading the bytes ------------------------------------------------------------------


def decode_upload(raw: bytes) -> str:
    """The file's text if it is UTF-8 (a byte-order mark is dropped); ImportFileError if not."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(
            _(
                "The file is saved as UTF-16 (in Excel, 'Unicode Text'), not UTF-8. Save it "
                "as 'CSV UTF-8 (Comma delimited)' and upload it again."
            )
        )
    if b"\x00" in raw:
        raise ImportFileError(
            _(
                "The file is not a CSV text file (it contains NUL bytes; it may be a "
                "spreadsheet or be saved as UTF-16). Save it as 'CSV UTF-8 (Comma "
                "delimited)' and upload it again."
            )
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ImportFileError(
            _(
                "The file is not saved as UTF-8: line %(line)s has a character in another "
                "encoding (often Windows-1252 or Latin-1, for example from Excel's plain "
                "'CSV (Comma delimited)'). The portal does not guess encodings, so that "
                "letters such as ŵ and ŷ arrive intact. Save the file as 'CSV UTF-8 "
                "(Comma delimited)' and upload it again."
            )
            % {"line": line}
        ) from None


# --- Checking the text -------------------------------------------------------------------


def _simplify(text: str) -> str:
    """Case, spaces, hyphens and underscores do not matter in headers and choice names."""
    return re.sub(r"[\s_\-]+", " ", text.strip().casefold()).strip()


def _quote(value: str) -> str:
    value = value.replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")
    if len(value) > QUOTE_CHARS:
        value = value[: QUOTE_CHARS - 1] + "…"
    return f"“{value}”"


def _choice_lookup(choices: Iterable[tuple[str, Any]], *extra: tuple[str, str]) -> dict[str, str]:
    """Simplified value or English label -> stored value."""
    lookup: dict[str, str] = {}
    with translation.override("en"):
        for value, label in choices:
            lookup[_simplify(value)] = value
            lookup[_simplify(str(label))] = value
    for alias, value in extra:
        lookup[_simplify(alias)] = value
    return lookup


def _names_lookup(items: Iterable[tuple[int, str]]) -> dict[str, list[int]]:
    lookup: dict[str, list[int]] = {}
    for pk, name in items:
        if name.strip():
            lookup.setdefault(name.strip().casefold(), []).append(pk)
    return lookup


def _formula_char(cell: str) -> str | None:
    for candidate in (cell, cell.lstrip(" ")):
        if candidate[:1] and candidate[0] in FORMULA_PREFIXES:
            return candidate[0]
    return None


def _has_control_char(cell: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in cell)


class _Checker:
    """Checks one file against a context; collects problems and the plan in a report."""

    def __init__(self, context: ImportContext) -> None:
        self.context = context
        self.report = ImportReport()
        self.phases = _choice_lookup(Phase.choices)
        self.media = _choice_lookup(
            LanguageMedium.choices,
            ("english medium", LanguageMedium.ENGLISH),
            ("welsh medium", LanguageMedium.WELSH),
        )
        self.languages = _choice_lookup(settings.LANGUAGES, ("cymraeg", "cy"))
        self.la_by_name = _names_lookup(
            (pk, n) for pk, (n, _c) in context.local_authorities.items()
        )
        self.la_by_code = _names_lookup(
            (pk, c) for pk, (_n, c) in context.local_authorities.items()
        )
        self.cluster_by_name = _names_lookup(context.clusters.items())
        self.seen_numbers: dict[str, int] = {}
        self.blank_headings: set[int] = set()
        with translation.override("en"):
            self.phase_values = ", ".join(Phase.values)
            self.medium_values = ", ".join(LanguageMedium.values)
        self.language_values = ", ".join(code for code, _label in settings.LANGUAGES)

    # The header ------------------------------------------------------------------------

    def header(self, cells: list[str]) -> list[str | None]:
        """Each position's column name (None for an unnamed or refused column)."""
        names: list[str | None] = []
        seen: set[str] = set()
        for position, cell in enumerate(cells, start=1):
            simplified = _simplify(cell).replace(" ", "_")
            if not simplified:
                self.blank_headings.add(position)
                names.append(None)
            elif simplified in _REFUSED_COLUMNS:
                self.report.add(
                    1,
                    _("the column %(column)s is not imported. %(reason)s")
                    % {"column": _quote(cell), "reason": _REFUSED_COLUMNS[simplified]},
                )
                names.append(None)
            elif simplified not in COLUMN_NAMES:
                self.report.add(
                    1,
                    _("unknown column %(column)s. The columns are: %(columns)s.")
                    % {"column": _quote(cell), "columns": ", ".join(COLUMN_NAMES)},
                )
                names.append(None)
            elif simplified in seen:
                self.report.add(
                    1, _("the column %(column)s appears twice.") % {"column": simplified}
                )
                names.append(None)
            else:
                seen.add(simplified)
                names.append(simplified)
        for required in REQUIRED_COLUMNS:
            if required not in seen:
                self.report.add(
                    1,
                    _("the required column %(column)s is missing.") % {"column": required},
                )
        if len(cells) == 1 and ";" in cells[0]:
            self.report.add(
                1,
                _(
                    "the columns seem to be separated by semicolons. Separate them with "
                    "commas (save as 'CSV UTF-8 (Comma delimited)')."
                ),
            )
        return names

    # One data row ----------------------------------------------------------------------

    def row(self, row: int, names: list[str | None], record: list[str]) -> None:
        if len(record) != len(names):
            self.report.add(
                row,
                _("it has %(cells)s cells but the header has %(columns)s columns.")
                % {"cells": len(record), "columns": len(names)},
            )
            return
        cells: dict[str, str] = {}
        refused: set[str] = set()
        for position, (name, cell) in enumerate(zip(names, record, strict=True), start=1):
            label = name or _("column %(number)s") % {"number": position}
            char = _formula_char(cell)
            if char is not None:
                shown = {"\t": _("a tab"), "\r": _("a carriage return")}.get(char, f"“{char}”")
                self.report.add(
                    row,
                    _(
                        "%(column)s %(value)s starts with %(char)s. A cell starting with "
                        "= + - @, a tab or a carriage return could run as a formula when "
                        "the file is opened in a spreadsheet, so it is not accepted: remove "
                        "that character."
                    )
                    % {"column": label, "value": _quote(cell), "char": shown},
                )
            elif _has_control_char(cell):
                self.report.add(
                    row,
                    _("%(column)s %(value)s contains a line break or another control character.")
                    % {"column": label, "value": _quote(cell)},
                )
            elif name is not None:
                cells[name] = cell.strip()
                continue
            elif position in self.blank_headings and cell.strip():
                self.report.add(
                    row,
                    _("column %(number)s has a value but no heading in row 1.")
                    % {"number": position},
                )
            if name is not None:
                refused.add(name)
        values = self._check_cells(row, cells, refused)
        if not self.report.problems:  # the plan only matters for a file without problems
            self._plan(row, cells["official_number"], values)

    def _check_cells(self, row: int, cells: dict[str, str], refused: set[str]) -> dict[str, Any]:
        """The row's values by model attribute; problems are added to the report.

        A column missing from `cells` is either not in the file or refused in this row
        (`refused`, already reported); either way it is not checked again here."""
        values: dict[str, Any] = {}
        number = cells.get("official_number")
        existing: ExistingSchool | None = None
        if number is not None:
            if not number:
                self.report.add(
                    row, _("official_number is empty; every school needs its official number.")
                )
            elif self._fits(row, "official_number", number):
                key = number_key(number)
                if key in self.seen_numbers:
                    self.report.add(
                        row,
                        _(
                            "official number %(number)s is also on row %(other)s; each school "
                            "may appear only once in the file."
                        )
                        % {"number": _quote(number), "other": self.seen_numbers[key]},
                    )
                else:
                    self.seen_numbers[key] = row
                existing = self.context.schools.get(key)

        if (name := cells.get("name")) is not None:
            if not name:
                self.report.add(row, _("name is empty; every school needs a name."))
            elif self._fits(row, "name", name):
                values["name"] = name

        if (phase := cells.get("phase")) is not None:
            if not phase:
                self.report.add(
                    row,
                    _("phase is empty. Use one of: %(values)s.") % {"values": self.phase_values},
                )
            elif _simplify(phase) in self.phases:
                values["phase"] = self.phases[_simplify(phase)]
            else:
                self.report.add(
                    row,
                    _("phase %(value)s is not recognised. Use one of: %(values)s.")
                    % {"value": _quote(phase), "values": self.phase_values},
                )

        medium = cells.get("language_medium", "")
        if medium:
            if _simplify(medium) in self.media:
                values["language_medium"] = self.media[_simplify(medium)]
            else:
                self.report.add(
                    row,
                    _("language_medium %(value)s is not recognised. Use one of: %(values)s.")
                    % {"value": _quote(medium), "values": self.medium_values},
                )
        elif number and existing is None and "language_medium" not in refused:
            self.report.add(
                row,
                _("language_medium is needed for a new school. Use one of: %(values)s.")
                % {"values": self.medium_values},
            )

        if (la := cells.get("local_authority")) is not None:
            if not la:
                self.report.add(row, _("local_authority is empty; every school needs one."))
            else:
                found = self._find_local_authority(row, la)
                if found is not None:
                    values["local_authority_id"] = found

        if (cluster := cells.get("cluster")) is not None:
            if not cluster:
                values["cluster_id"] = None
            else:
                ids = self.cluster_by_name.get(cluster.casefold(), [])
                if len(ids) == 1:
                    values["cluster_id"] = ids[0]
                elif ids:
                    self.report.add(
                        row,
                        _("cluster %(value)s matches more than one cluster; rename one of them.")
                        % {"value": _quote(cluster)},
                    )
                else:
                    self.report.add(
                        row,
                        _(
                            "cluster %(value)s does not exist in this partnership. The import "
                            "does not add clusters: add it first, correct the name, or leave "
                            "the cell empty."
                        )
                        % {"value": _quote(cluster)},
                    )

        if (pupils := cells.get("pupils")) is not None:
            values["pupils"] = self._pupils(row, pupils)

        if (fsm := cells.get("fsm_percent")) is not None:
            values["fsm_percent"] = self._fsm(row, fsm)

        if (postcode := cells.get("postcode")) is not None and self._fits(
            row, "postcode", postcode
        ):
            values["postcode"] = postcode

        language = cells.get("report_language", "")
        if language:
            if _simplify(language) in self.languages:
                values["report_language"] = self.languages[_simplify(language)]
            else:
                self.report.add(
                    row,
                    _("report_language %(value)s is not recognised. Use one of: %(values)s.")
                    % {"value": _quote(language), "values": self.language_values},
                )
        return values

    def _fits(self, row: int, column: str, value: str) -> bool:
        limit = _model_field(column).max_length
        if len(value) <= limit:
            return True
        self.report.add(
            row,
            _(
                "%(column)s is %(length)s characters long; the most allowed is %(limit)s "
                "(%(value)s)."
            )
            % {"column": column, "length": len(value), "limit": limit, "value": _quote(value)},
        )
        return False

    def _find_local_authority(self, row: int, value: str) -> int | None:
        key = value.casefold()
        ids = self.la_by_name.get(key) or self.la_by_code.get(key) or []
        if len(ids) == 1:
            return ids[0]
        if ids:
            self.report.add(
                row,
                _(
                    "local_authority %(value)s matches more than one local authority; use "
                    "its full name."
                )
                % {"value": _quote(value)},
            )
        else:
            self.report.add(
                row,
                _(
                    "local_authority %(value)s is not one of this partnership's local "
                    "authorities. Use the name or code of one that exists; the import does "
                    "not add local authorities."
                )
                % {"value": _quote(value)},
            )
        return None

    def _pupils(self, row: int, value: str) -> int | None:
        if not value:
            return None
        if not re.fullmatch(r"[0-9]+", value):
            self.report.add(
                row,
                _("pupils %(value)s is not a whole number (for example 210).")
                % {"value": _quote(value)},
            )
            return None
        number = int(value)
        if number > MAX_PUPILS:
            self.report.add(
                row,
                _("pupils %(value)s is out of range: use a number from 0 to %(max)s.")
                % {"value": _quote(value), "max": number_format(MAX_PUPILS, force_grouping=True)},
            )
            return None
        return number

    def _fsm(self, row: int, value: str) -> Decimal | None:
        if not value:
            return None
        text = value.removesuffix("%").strip()
        if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
            self.report.add(
                row,
                _("fsm_percent %(value)s is not a number (for example 18.5).")
                % {"value": _quote(value)},
            )
            return None
        try:
            number = Decimal(text)
            rounded = number.quantize(Decimal("0.1"))
        except InvalidOperation:
            rounded = None
        if rounded is None or not Decimal(0) <= number <= Decimal(100):
            self.report.add(
                row,
                _("fsm_percent %(value)s is out of range: use a percentage from 0 to 100.")
                % {"value": _quote(value)},
            )
            return None
        if rounded != number:
            self.report.add(
                row,
                _("fsm_percent %(value)s has more than one decimal place.")
                % {"value": _quote(value)},
            )
            return None
        return rounded

    # The plan --------------------------------------------------------------------------

    def _plan(self, row: int, number: str, values: dict[str, Any]) -> None:
        existing = self.context.schools.get(number_key(number))
        if existing is None:
            target = {
                "cluster_id": None,
                "pupils": None,
                "fsm_percent": None,
                "postcode": "",
                "report_language": self.context.default_report_language,
                **values,
            }
            self.report.creates.append(
                PlannedSchool(row, number, None, target, self._display(number, target))
            )
            return
        target = {**existing.values, **values}
        changes = tuple(
            Change(
                label=str(_model_field(attr.removesuffix("_id")).verbose_name),
                old=self._show(attr, existing.values.get(attr)),
                new=self._show(attr, target[attr]),
            )
            for attr in IMPORTED_ATTRS
            if target.get(attr) != existing.values.get(attr)
        )
        planned = PlannedSchool(
            row,
            existing.official_number,
            existing.id,
            target,
            self._display(existing.official_number, target),
            changes,
        )
        (self.report.updates if changes else self.report.unchanged).append(planned)

    def _display(self, number: str, target: Mapping[str, Any]) -> dict[str, str]:
        shown = {"official_number": number}
        for attr in IMPORTED_ATTRS:
            shown[attr.removesuffix("_id")] = self._show(attr, target.get(attr))
        return shown

    def _show(self, attr: str, value: Any) -> str:
        if value is None or value == "":
            return ""
        if attr == "phase":
            return str(Phase(value).label)
        if attr == "language_medium":
            return str(LanguageMedium(value).label)
        if attr == "report_language":
            return str(dict(settings.LANGUAGES).get(value, value))
        if attr == "local_authority_id":
            return self.context.local_authorities.get(value, ("", ""))[0]
        if attr == "cluster_id":
            return self.context.clusters.get(value, "")
        if attr == "fsm_percent":
            return f"{value}%"
        return str(value)


def validate(text: str, context: ImportContext) -> ImportReport:
    """Every problem in the file with its row number, and the plan if there are none."""
    checker = _Checker(context)
    report = checker.report
    if not text.strip():
        report.add(
            1,
            _("the file is empty. The first row must name the columns: %(columns)s.")
            % {"columns": ", ".join(COLUMN_NAMES)},
        )
        return report
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    row = 0
    data_rows = 0
    names: list[str | None] | None = None
    try:
        for row, record in enumerate(reader, start=1):
            if names is None:
                if not any(cell.strip() for cell in record):
                    report.add(
                        1,
                        _("the first row is empty; it must name the columns: %(columns)s.")
                        % {"columns": ", ".join(COLUMN_NAMES)},
                    )
                    return report
                names = checker.header(record)
                continue
            if not any(cell.strip() for cell in record):
                continue  # a blank row between schools is harmless
            data_rows += 1
            if data_rows > MAX_ROWS:
                report.add(
                    row,
                    _(
                        "the file has more than %(max)s schools. Split it into files of at "
                        "most %(max)s schools."
                    )
                    % {"max": number_format(MAX_ROWS, force_grouping=True)},
                )
                return report
            checker.row(row, names, record)
    except csv.Error as error:
        report.add(
            row + 1,
            _(
                "this row cannot be read as CSV (%(error)s). Check for a quotation mark "
                "that is not closed."
            )
            % {"error": error},
        )
        return report
    if data_rows == 0 and names is not None:
        report.add(1, _("the file has a header row but no schools under it."))
    return report


def preview(text: str, *, partnership: Partnership) -> ImportReport:
    """The dry run: check the file against the partnership as it is now."""
    return validate(text, load_context(partnership))
