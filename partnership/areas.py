"""The default list of areas a new partnership starts with, by country."""

from django.utils.translation import gettext_noop as _

COMMON = [
    ("leadership", _("Leadership"), "Arweinyddiaeth"),
    ("teaching-and-learning", _("Teaching and learning"), "Addysgu a dysgu"),
    ("aln", _("Additional learning needs"), "Anghenion dysgu ychwanegol"),
    ("wellbeing", _("Wellbeing and inclusion"), "Llesiant a chynhwysiant"),
    ("digital", _("Digital competence"), "Cymhwysedd digidol"),
]

WALES = [
    ("welsh", _("Welsh language"), "Y Gymraeg"),
    (
        "languages-literacy",
        _("Languages, literacy and communication"),
        "Ieithoedd, llythrennedd a chyfathrebu",
    ),
    ("mathematics-numeracy", _("Mathematics and numeracy"), "Mathemateg a rhifedd"),
    ("science-technology", _("Science and technology"), "Gwyddoniaeth a thechnoleg"),
    ("humanities", _("Humanities"), "Y dyniaethau"),
    ("health-wellbeing", _("Health and well-being"), "Iechyd a lles"),
    ("expressive-arts", _("Expressive arts"), "Y celfyddydau mynegiannol"),
]

ENGLAND = [
    ("english-literacy", _("English and literacy"), "Saesneg a llythrennedd"),
    ("mathematics", _("Mathematics"), "Mathemateg"),
    ("science", _("Science"), "Gwyddoniaeth"),
    ("send", _("SEND"), "Anghenion addysgol arbennig ac anableddau"),
    ("early-years", _("Early years"), "Blynyddoedd cynnar"),
    ("curriculum", _("Curriculum"), "Cwricwlwm"),
]


def default_areas(country: str) -> list[tuple[str, str, str]]:
    """(slug, English name, Welsh name) for each area a new partnership starts with."""
    return COMMON + (WALES if country == "wales" else ENGLAND)
