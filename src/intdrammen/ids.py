"""Norwegian identity numbers: fødselsnummer (with D- and H-numbers) and organisation
numbers. Validation, check digits, and the keyed hash that is the only form in which a
fødselsnummer is ever kept.

A fødselsnummer is ddmmyy + a 3-digit individual number + 2 mod-11 check digits. D-numbers
add 4 to the first day digit, H-numbers add 4 to the first month digit. There are only
about 300 000 valid numbers per birth year, so an unkeyed hash is reversible in seconds:
`person_key` uses HMAC-SHA-256 with a secret key kept outside the database.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from datetime import date

FNR_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
FNR_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
ORGNR_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def mod11_check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    """The mod-11 check digit for `digits`, or None when none exists (remainder 1)."""
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def fnr_check_digits(first_nine: str) -> str | None:
    """Both check digits for the first nine digits of a fødselsnummer, or None.
    (The weights of FNR_WEIGHTS_1 and _2 written out: this runs once per person in an
    import, and a loop over zip() cost most of the time of checking a number.)"""
    d0, d1, d2, d3, d4, d5, d6, d7, d8 = (ord(c) - 48 for c in first_nine)
    k1 = 11 - (3 * d0 + 7 * d1 + 6 * d2 + d3 + 8 * d4 + 9 * d5 + 4 * d6 + 5 * d7 + 2 * d8) % 11
    if k1 == 10:
        return None
    k1 %= 11
    total = 5 * d0 + 4 * d1 + 3 * d2 + 2 * d3 + 7 * d4 + 6 * d5 + 5 * d6 + 4 * d7 + 3 * d8
    k2 = 11 - (total + 2 * k1) % 11
    if k2 == 10:
        return None
    return f"{k1}{k2 % 11}"


def _birth_date_plausible(number: str) -> bool:
    day, month, yy = int(number[0:2]), int(number[2:4]), int(number[4:6])
    if day > 40:  # D-number
        day -= 40
    if month > 40:  # H-number
        month -= 40
    for century in (1900, 2000, 1800):
        try:
            date(century + yy, month, day)
        except ValueError:
            continue
        return True
    return False


def fnr_problem(number: str) -> str | None:
    """Why `number` (digits only) is not a valid fødselsnummer, D- or H-number; None if it is.

    The reason never repeats the number itself.
    """
    if not (number.isascii() and number.isdigit()):
        # str.isdigit() alone takes other scripts' digits (Arabic-Indic ٠١٢...) too
        return f"a fødselsnummer is 11 digits 0-9; not all of these {len(number)} are"
    if len(number) != 11:
        return f"a fødselsnummer has 11 digits, this has {len(number)}"
    if not _birth_date_plausible(number):
        return "the first six digits are not a date (ddmmyy, D- or H-number)"
    if fnr_check_digits(number[:9]) != number[9:]:
        return "the check digits do not match (mod 11)"
    return None


# Something that may be a fødselsnummer inside other text: 11 digits, maybe split after
# the birth date, or 10 when Excel dropped the leading zero. Only candidates; a match
# counts when its check digits are right.
FNR_LIKE = re.compile(r"(?<!\d)(\d{5,6})[ .-]?(\d{5})(?!\d)")
FNR_HIDDEN = "(hidden: a fødselsnummer)"


def contains_fnr(text: str) -> bool:
    """Whether `text` holds a valid fødselsnummer, D- or H-number anywhere in it."""
    for match in FNR_LIKE.finditer(text):
        digits = (match.group(1) + match.group(2)).zfill(11)
        if not digits.isascii():  # written in another script's digits: the same number
            digits = "".join(str(unicodedata.decimal(d)) for d in digits)
        if fnr_problem(digits) is None:
            return True
    return False


# An id as offices write one: letters, maybe '-' or '_', then digits ("P0042",
# "D15038550060", "X-15038550060"). Its digits are an id number even when they would
# pass as a fødselsnummer: the README's advice to give such ids a letter prefix.
PREFIXED_ID = re.compile(r"[^\W\d_]+[-_]?[0-9]+")


def is_prefixed_id(text: str) -> bool:
    return PREFIXED_ID.fullmatch(text) is not None


# A word of a person's name: letters, with an inner hyphen, apostrophe or dot
# ("Anne-Lise", "O'Neil", "St.Clair"), or an initial ("K.").
_NAME_WORD = re.compile(r"[^\W\d_]+(?:[-'’.][^\W\d_]+)*\.?")
_DIGIT = re.compile(r"\d")


# What splits a value into words when looking for names in it: spaces, dots, commas,
# underscores, dashes and brackets ("P01 Amina Yusuf", "Yusuf Omar (P02)", "amina.yusuf").
_NAME_SPLIT = re.compile(r"[\s.,_\-\u2010-\u2015()\[\]{}<>]+")


def _is_name_word(word: str) -> bool:
    """A word as a name is written: 2+ letters, Capitalised or all lower case (inner
    hyphens and apostrophes are split off before). All capitals is a code (SUM, NAV)."""
    return (
        len(word) > 1
        and word.isalpha()
        and (word.islower() or (word[0].isupper() and word[1:].islower()))
    )


def name_words(text: str) -> int:
    """How many words of `text` read as words of a name: Capitalised words (2+ letters),
    and in a user name (no spaces, words joined by '.': "amina.yusuf") also words all in
    lower case. Words of a sentence in lower case ("Side 1 av 2") and snake_case labels
    ("course_active") do not count."""
    words = [w.strip("'’") for w in _NAME_SPLIT.split(text)]
    if "." not in text or any(ch.isspace() for ch in text):
        return sum(1 for w in words if _is_name_word(w) and not w.islower())
    return sum(1 for w in words if _is_name_word(w))


def looks_like_name(text: str) -> bool:
    """Whether an id cell reads as a person's name rather than an id: two or more words
    written as names are ("P01 Amina Yusuf", "Yusuf Omar (P02)", "amina.yusuf"), digits
    beside them or not; or, with no digit at all, two to six words of letters ("Amina
    Yusuf Ali", "Nordmann, Ola", "OLA NORDMANN") or one capitalised word ("Amina"). Codes
    stay ids: all capitals and digits ("P-SUM1", "NAV-0042", "X-15038550060")."""
    if name_words(text) >= 2:
        return True
    if _DIGIT.search(text) or text.count(",") > 1:
        return False
    words = text.replace(",", " ").split()
    if not 1 <= len(words) <= 6 or not all(_NAME_WORD.fullmatch(w) for w in words):
        return False
    if len(words) > 1:
        return True
    word = words[0].rstrip(".")
    return len(word) > 1 and word[0].isupper() and word[1:].islower()


def without_fnr(text: str) -> str:
    """`text` for showing in a message: replaced whole when it holds a fødselsnummer."""
    return FNR_HIDDEN if contains_fnr(text) else text


def mask_fnr(text: str) -> str:
    """`text` with each fødselsnummer in it replaced by FNR_HIDDEN, the rest kept (a file
    name: "deltakere_14039010195.csv" -> "deltakere_(hidden: a fødselsnummer).csv")."""
    if not contains_fnr(text):
        return text
    return FNR_LIKE.sub(lambda m: FNR_HIDDEN if contains_fnr(m.group(0)) else m.group(0), text)


NAME_HIDDEN = "(hidden: looks like a name)"
# Two name words in a row, Capitalised ("Kari Nordmann", "Nordmann, Kari", "Anne-Lise
# Berg"): a person named in a note, a header cell or a value of another column.
NAME_RUN = re.compile(
    r"(?<![^\W\d_])[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:[-'’][A-ZÀ-ÖØ-Þ]?[a-zß-öø-ÿ]+)*"
    r",?\s+[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?![^\W\d_])"
)


def has_name(text: str) -> bool:
    """Whether `text` shown in a message could name a person: two Capitalised words in a
    row ("Amina Yusuf", "P01 Amina Yusuf", "Utskrevet av saksbehandler Kari Nordmann"),
    a user name ("amina.yusuf") or a name in capitals ("OLA NORDMANN"). One word alone
    is not enough here, nor ordinary words ("foreløpige tall", "Side 1 av 3")."""
    if NAME_RUN.search(text):
        return True
    if len(text.split()) == 1:
        return name_words(text) >= 2
    return text.isupper() and looks_like_name(text)


def clean_fnr(raw: str) -> str:
    """Digits of a fødselsnummer as typed: spaces, dots and dashes removed, and the
    leading zero Excel drops from a number-formatted cell (dd < 10) put back."""
    if raw.endswith(".0") and raw[:-2].isdigit():  # a float from a spreadsheet cell
        raw = raw[:-2]
    digits = raw.translate(_SEPARATORS)
    if len(digits) == 10 and digits.isascii() and digits.isdigit():
        digits = "0" + digits
    return digits


_SEPARATORS = str.maketrans("", "", " .-\u00a0")


def orgnr_problem(number: str) -> str | None:
    """Why `number` (digits only) is not a valid organisation number; None if it is."""
    if not (number.isascii() and number.isdigit()):
        return f"an organisation number is 9 digits 0-9; not all of these {len(number)} are"
    if len(number) != 9:
        return f"an organisation number has 9 digits, this has {len(number)}"
    if mod11_check_digit(number[:8], ORGNR_WEIGHTS) != int(number[8]):
        return "the check digit does not match (mod 11)"
    return None


def clean_orgnr(raw: str) -> str:
    """Digits of an organisation number as typed ("987 654 321", "NO 987654321 MVA")."""
    text = raw.upper().strip()
    text = text.removeprefix("NO").removesuffix("MVA")
    digits = "".join(ch for ch in text if ch not in " .-\u00a0")
    if digits.endswith(".0"):
        digits = digits[:-2]
    return digits


def person_key(key: bytes, fnr: str) -> str:
    """The keyed hash (HMAC-SHA-256, hex) by which a person is recognised across files."""
    return hmac.digest(key, fnr.encode("ascii"), "sha256").hex()


def key_fingerprint(key: bytes) -> str:
    """What a database records of the key its person keys were made with: a keyed hash
    of a fixed text. It tells keys apart and reveals nothing about the key or anyone."""
    return hmac.new(key, b"intd key fingerprint v1", hashlib.sha256).hexdigest()


def make_fnr(born: date, individual: int) -> str | None:
    """A valid fødselsnummer for a birth date and individual number, or None when that
    individual number has no valid check digits. Used for synthetic data and tests."""
    first_nine = f"{born:%d%m%y}{individual:03d}"
    check = fnr_check_digits(first_nine)
    return None if check is None else first_nine + check


def make_orgnr(first_eight: int) -> str | None:
    """A valid organisation number from eight digits, or None if none exists."""
    digits = f"{first_eight:08d}"
    check = mod11_check_digit(digits, ORGNR_WEIGHTS)
    return None if check is None else digits + str(check)
