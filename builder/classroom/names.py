"""Students' display names: cleaned for showing, and compared as a reader sees them.

A class holds one student per name *as it looks*: two names are the same when they
match after Unicode compatibility normalisation (NFKC: full-width and mathematical
letters become plain ones), case folding, collapsed spaces and folding letters of other
scripts that look like Latin ones (Cyrillic "А", Greek "Α" → "A"). Invisible characters
(zero-width spaces and joiners, direction marks and overrides, fillers) are refused: a
name that looks like another must not pass for a different one, and text that reorders
or hides itself has no place on a teacher's board.

The look-alike table is a subset of Unicode's confusables.txt (UTS #39, "intentional and
confusable" prototypes): its letters of the Cyrillic, Greek, Armenian, Cherokee and
extended Latin scripts whose prototype is a single ASCII letter, read from the
confusables.json of confusable-homoglyphs 3.3.1 (a copy of confusables.txt), with one
change: capital-I shapes fold to "I", not to confusables.txt's "l", because Latin "I"
itself is not folded here (folding I and l together would take "Ian" for "Lan" once
case is folded). It covers the substitutions a student can type by switching keyboard
layout; digits and Latin letters among themselves ("0"/"O", "rn"/"m") are not folded.
"""

from __future__ import annotations

import unicodedata

from builder.classroom.codes import ClassError

NAME_LENGTH = 30
# (letters, the ASCII letter each looks like), one pair per script, from confusables.txt.
_LOOK_ALIKES = (
    # Cyrillic
    ("ЅІЈАВЕКМНОРСТУХЬагеорсухѕіјѡѴѵҮүһҽӀӏԁԌԛԜԝꙇ", "SIJABEKMHOPCTYXbareopcyxsijwVvYyheIldGqWwi"),
    # Greek
    ("ͿΑΒΕΖΗΙΚΜΝΟΡΤΥΧαγινορσυϜϳϺᴦ", "JABEZHIKMNOPTYXayivopouFjMr"),
    # Armenian
    ("ՍՏՕագզհոռսցքօ", "USOwqqhnnugfo"),
    # Cherokee
    ("ᎠᎡᎢᎥᎩᎪᎫᎬᎳᎷᎻᎽᏀᏂᏃᏏᏒᏔᏕᏙᏚᏞᏟᏢᏦᏧᏳᏴꭵꮁꮃꮓꮩꮪꮯ", "DRTiYAJEWMHYGhZbRWSVSLCPKdGBirwzvsc"),
    # Latin letters beyond ASCII
    ("ıƄƍƖƦƽǀɑɡɣɩɪɯʋʏᴄᴏᴑᴜᴠᴡᴢᶃᶌẝỿꜱꞘꞙꞟꞲꞳꞴꬲꬵꬽꭇꭈꭎꭒꭚ", "ibgIRslagyiiwuycoouvwzgyfysFfuJXBeforruuy"),
)
LOOK_ALIKE = str.maketrans("".join(a for a, _ in _LOOK_ALIKES), "".join(b for _, b in _LOOK_ALIKES))
# Printable to Python, yet invisible on screen (Unicode's Default_Ignorable_Code_Point
# letters and marks, and the blank Braille pattern): a name could hide them.
INVISIBLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0"
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))  # variation selectors
) | frozenset(chr(c) for c in range(0xE0100, 0xE01F0))  # variation selectors supplement
NOT_A_NAME = (
    "Type the name your teacher should see (a first name or a nickname): letters, digits, "
    "spaces and punctuation only."
)
HIDDEN = (
    "This name holds an invisible or control character (such as a zero-width space or a "
    "text-direction mark), perhaps pasted along with it. Type the name by hand."
)


def clean_name(text: object) -> str:
    """A student's display name: trimmed, inner runs of spaces made one, composed (NFC).

    Raises:
        ClassError: the name is empty, has no letter or digit, is too long, or holds an
            invisible or control character.
    """
    name = unicodedata.normalize("NFC", " ".join(str(text or "").split()))
    if not name:
        raise ClassError(NOT_A_NAME)
    if any(not ch.isprintable() or ch in INVISIBLE for ch in name):
        raise ClassError(HIDDEN)
    if len(name) > NAME_LENGTH:
        raise ClassError(
            f"A display name has at most {NAME_LENGTH} characters. Received: {len(name)}."
        )
    if not any(unicodedata.category(ch)[0] in "LN" for ch in name):
        raise ClassError(NOT_A_NAME)
    return name


def name_key(name: str) -> str:
    """What two names that look alike have in common: NFKC, look-alike letters folded to
    Latin ones, case folded, spaces collapsed. Names with equal keys are the same name."""
    text = unicodedata.normalize("NFKC", name)
    # Twice: case folding can make a letter that folds again (Greek "Σ" → "σ" → "o").
    for _ in range(2):
        text = text.translate(LOOK_ALIKE).casefold()
    return " ".join(unicodedata.normalize("NFKC", text).split())


def taken_message(name: str) -> str:
    """What a student reads when their name (or one that looks the same) is taken."""
    return (
        f"Someone in this class already goes by '{name}' (or a name that looks the same). "
        "Add an initial, such as "
        f"'{name[: NAME_LENGTH - 3]} B.', or choose another name."
    )
