"""The Welsh catalogue is complete, and a Welsh speaker sees Welsh pages.

The catalogue is read with a small parser of its own rather than polib or the GNU
gettext tools, so these tests need nothing beyond the project's own dependencies.
To fix a failure: `make messages`, translate what `msgattrib --untranslated` or
`msgattrib --only-fuzzy` lists in locale/cy/LC_MESSAGES/django.po (docs/welsh-glossary.md
has the terms), then run this module again.
"""

from __future__ import annotations

import ast
import contextlib
import fcntl
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from partnership.models import Role

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "cy" / "LC_MESSAGES" / "django.po"
WELSH_PLURAL_FORMS = 4
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdif]|%[sd%]|<[^>]+>")


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    def __str__(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


def read_catalogue(path: Path) -> list[Entry]:
    """Every live entry of a .po file except the header, in file order."""
    entries: list[Entry] = []
    entry = Entry(line=0)
    flags: set[str] = set()
    keyword = ""  # the field the current line (or a continuation line) belongs to
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if not line or line.startswith("#"):  # comments, references, obsolete entries
            continue
        if line.startswith('"'):
            quoted = line
        else:
            previous = keyword
            keyword, _, quoted = line.partition(" ")
            if keyword == "msgctxt" or (keyword == "msgid" and previous != "msgctxt"):
                if entry.msgid:
                    entries.append(entry)
                entry, flags = Entry(line=number, flags=flags), set()
        text = ast.literal_eval(quoted)  # PO strings use the same escapes as Python's
        if keyword == "msgid":
            entry.msgid += text
        elif keyword == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + text
        elif keyword == "msgstr" or keyword.startswith("msgstr["):
            index = int(keyword[7:-1]) if "[" in keyword else 0
            entry.msgstr[index] = entry.msgstr.get(index, "") + text
        elif keyword != "msgctxt":
            raise AssertionError(f"{path}:{number}: unexpected {keyword!r}")
    if entry.msgid:
        entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    return read_catalogue(CATALOGUE)


@pytest.fixture(scope="session")
def _welsh_mo_file() -> None:
    """Compile the Welsh catalogue (the .mo file is not committed), once per test run.

    A lock keeps parallel test workers from writing the same .mo file at once.
    """
    lock_path = Path(tempfile.gettempdir()) / "partnership-portal-compilemessages.lock"
    with lock_path.open("w") as lock, contextlib.chdir(settings.BASE_DIR):
        fcntl.flock(lock, fcntl.LOCK_EX)
        call_command(
            "compilemessages",
            locale=["cy"],
            ignore_patterns=[".venv", "staticfiles", "node_modules", ".git"],
            verbosity=0,
        )


@pytest.fixture
def welsh_compiled(_welsh_mo_file, settings) -> None:
    # Setting LOCALE_PATHS (even to the same value) makes Django drop the catalogues it has
    # already loaded, so one loaded before the .mo file was compiled is not reused.
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)


def welsh_for(catalogue: list[Entry], english: str) -> str:
    return next(entry.msgstr[0] for entry in catalogue if entry.msgid == english)


# --- The catalogue -------------------------------------------------------------------------


def test_the_welsh_catalogue_has_entries(catalogue):
    assert len(catalogue) > 100


def test_every_welsh_entry_is_translated(catalogue):
    untranslated = [
        entry
        for entry in catalogue
        if not entry.msgstr
        or any(not text for text in entry.msgstr.values())
        or (entry.msgid_plural is not None and len(entry.msgstr) != WELSH_PLURAL_FORMS)
    ]

    assert not untranslated, f"{len(untranslated)} untranslated, first: " + "; ".join(
        str(entry) for entry in untranslated[:10]
    )


def test_no_welsh_entry_is_fuzzy(catalogue):
    fuzzy = [entry for entry in catalogue if "fuzzy" in entry.flags]

    assert not fuzzy, f"{len(fuzzy)} fuzzy, first: " + "; ".join(str(e) for e in fuzzy[:10])


def test_the_catalogue_header_is_not_fuzzy():
    header = CATALOGUE.read_text(encoding="utf-8").split('msgid ""', 1)[0]

    assert "fuzzy" not in header


def test_welsh_translations_keep_the_placeholders_and_newlines(catalogue):
    def shape(text: str) -> tuple:
        return sorted(PLACEHOLDER.findall(text)), text.startswith("\n"), text.endswith("\n")

    def english(entry: Entry, index: int) -> str:
        return entry.msgid_plural if entry.msgid_plural and index > 0 else entry.msgid

    broken = [
        f"{entry} [{index}]"
        for entry in catalogue
        for index, text in entry.msgstr.items()
        if text and shape(text) != shape(english(entry, index))
    ]

    assert not broken, "; ".join(broken[:10])


# --- Pages in Welsh ------------------------------------------------------------------------


def test_login_page_is_in_welsh_with_the_language_cookie(db, catalogue, welsh_compiled):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"

    body = client.get("/accounts/login/").content.decode()

    assert '<html lang="cy"' in body
    assert welsh_for(catalogue, "Skip to main content") in body
    assert "Skip to main content" not in body


def test_signed_in_user_who_chose_welsh_sees_welsh_pages(
    partnership, member_factory, client_for, catalogue, welsh_compiled
):
    user = member_factory(partnership, Role.PARTNERSHIP_ADMIN, language="cy")

    body = client_for(user).get(f"/p/{partnership.slug}/").content.decode()

    assert welsh_for(catalogue, "Partnership overview") in body
    assert "Partnership overview" not in body
