"""iCalendar (RFC 5545) text for calendar invitations (visits, meetings), written by hand.

Lines end with CRLF and are folded at 75 octets (never inside a UTF-8 character); TEXT
values escape backslash, semicolon, comma and newlines; parameter values that contain
`:;,` are quoted. Times are written in UTC, so no VTIMEZONE block is needed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

CRLF = "\r\n"


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma escaped; any newline becomes \\n."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def param_value(value: str) -> str:
    """A parameter value (e.g. CN): quoted when it holds : ; or , (DQUOTE cannot appear)."""
    value = value.replace('"', "'").replace("\r", " ").replace("\n", " ")
    return f'"{value}"' if any(c in value for c in ":;,") else value


def fold(line: str) -> str:
    """Split a content line into 75-octet pieces joined by CRLF and a space."""
    pieces: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size, limit = "", 0, 74  # continuation lines start with a space
        current += char
        size += width
    pieces.append(current)
    return (CRLF + " ").join(pieces)


def utc_stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def local_to_utc(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=ZoneInfo(settings.TIME_ZONE))


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str


@dataclass(frozen=True)
class Event:
    uid: str
    sequence: int
    starts: datetime.datetime
    ends: datetime.datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    organizer: Attendee | None = None
    attendees: tuple[Attendee, ...] = ()


def calendar(events: Iterable[Event], *, stamp: datetime.datetime | None = None) -> str:
    """A VCALENDAR with these events, ready to serve as text/calendar."""
    stamp = stamp or datetime.datetime.now(datetime.UTC)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Partnership portal//Peer review//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"SEQUENCE:{event.sequence}",
            f"DTSTAMP:{utc_stamp(stamp)}",
            f"DTSTART:{utc_stamp(event.starts)}",
            f"DTEND:{utc_stamp(event.ends)}",
            f"SUMMARY:{escape_text(event.summary)}",
        ]
        if event.location:
            lines.append(f"LOCATION:{escape_text(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        if event.organizer:
            lines.append(
                f"ORGANIZER;CN={param_value(event.organizer.name)}:mailto:{event.organizer.email}"
            )
        for person in event.attendees:
            lines.append(
                f"ATTENDEE;CN={param_value(person.name)};ROLE=REQ-PARTICIPANT;"
                f"PARTSTAT=NEEDS-ACTION:mailto:{person.email}"
            )
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
