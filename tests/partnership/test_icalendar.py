"""The hand-written iCalendar text: CRLF, folding, escaping, times in UTC."""

from __future__ import annotations

import datetime
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from partnership.icalendar import Attendee, Event, calendar, escape_text, fold, local_to_utc

STAMP = datetime.datetime(2026, 11, 1, 9, 30, tzinfo=datetime.UTC)


def _event(**overrides) -> Event:
    fields = {
        "uid": "abc-123@portal.example",
        "sequence": 0,
        "starts": local_to_utc(datetime.date(2026, 7, 1), datetime.time(8, 45)),
        "ends": local_to_utc(datetime.date(2026, 7, 1), datetime.time(15, 30)),
        "summary": "Peer review visit: Ysgol y Bryn",
        **overrides,
    }
    return Event(**fields)


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def test_every_line_ends_with_crlf_and_there_is_no_bare_line_feed():
    text = calendar([_event(description="Line one\nLine two\r\nLine three")], stamp=STAMP)

    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "\r" not in text.replace("\r\n", "")


def test_the_calendar_wraps_one_event_with_the_required_properties():
    lines = unfold(calendar([_event()], stamp=STAMP))

    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"]
    assert "PRODID:-//Partnership portal//Peer review//EN" in lines
    assert lines[-2:] == ["END:VCALENDAR", ""]
    assert "UID:abc-123@portal.example" in lines
    assert "DTSTAMP:20261101T093000Z" in lines
    assert "SEQUENCE:0" in lines


def test_local_times_are_written_in_utc():
    summer = unfold(calendar([_event()], stamp=STAMP))
    winter = unfold(
        calendar(
            [_event(starts=local_to_utc(datetime.date(2026, 12, 1), datetime.time(8, 45)))],
            stamp=STAMP,
        )
    )

    assert "DTSTART:20260701T074500Z" in summer  # British Summer Time is UTC+1
    assert "DTEND:20260701T143000Z" in summer
    assert "DTSTART:20261201T084500Z" in winter


def test_text_escapes_backslash_semicolon_comma_and_newlines():
    assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_attendee_names_with_separators_are_quoted():
    lines = unfold(
        calendar(
            [_event(attendees=(Attendee("Jones, Sian; Head", "sian@example.org"),))], stamp=STAMP
        )
    )

    assert (
        'ATTENDEE;CN="Jones, Sian; Head";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION:'
        "mailto:sian@example.org" in lines
    )


def test_long_lines_are_folded_at_75_octets_without_splitting_a_character():
    summary = "Ymweliad adolygu cymheiriaid: Ysgol Gymraeg Llanfair-ym-Muallt â’r ŵyl " * 3
    text = calendar([_event(summary=summary)], stamp=STAMP)

    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    assert f"SUMMARY:{summary}" in unfold(text)


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(max_size=400))
def test_any_text_survives_escaping_and_folding(value):
    line = "DESCRIPTION:" + escape_text(value)
    folded = fold(line)

    assert all(len(piece.encode("utf-8")) <= 75 for piece in folded.split("\r\n"))
    restored = folded.replace("\r\n ", "")
    assert restored == line
    expected = value.replace("\r\n", "\n").replace("\r", "\n")
    assert unescape(restored[len("DESCRIPTION:") :]) == expected
