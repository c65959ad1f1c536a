"""Class codes students type and teacher keys only the teacher holds (display names: ``names``).

A class code is 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L, U/V
pairs), 29**8 ≈ 5.0e11 codes: with guesses slowed per browser and per client address
(``builder.classroom.limiter``), finding a live class by guessing is hopeless. The teacher
key is 32 random bytes; the store keeps only its SHA-256 and compares digests in constant
time, so neither a database copy nor a stopwatch gives the key away.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from builder.errors import BuilderError

ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
CODE_LENGTH = 8
# Compared against when the code is unknown, so a wrong code costs the same time as a wrong key.
NO_CLASS_HASH = hashlib.sha256(b"no class has this key").hexdigest()


class ClassError(BuilderError):
    """A class cannot be created, joined or opened: the reason in words."""


def new_class_code() -> str:
    """A fresh class code, such as ``K7QM-3XPA`` (8 characters, shown in two halves)."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{code[:4]}-{code[4:]}"


def normalise_code(text: object) -> str | None:
    """The code as stored (``K7QM-3XPA``) from what a student typed, or None when it cannot
    be one: case, spaces and dashes do not matter."""
    if not isinstance(text, str):
        return None
    plain = "".join(ch for ch in text.upper() if ch not in " -")
    if len(plain) != CODE_LENGTH or any(ch not in ALPHABET for ch in plain):
        return None
    return f"{plain[:4]}-{plain[4:]}"


def new_teacher_key() -> str:
    """A fresh teacher key (32 random bytes, URL-safe text), shown to the teacher once."""
    return secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    """What the store keeps of a teacher key: its SHA-256, in hex."""
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def key_matches(key: object, stored_hash: str | None) -> bool:
    """True when ``key`` hashes to ``stored_hash``, compared in constant time; a missing
    class (None) is compared against a hash no key has, so it takes as long."""
    given = key_hash(key) if isinstance(key, str) else key_hash("")
    return hmac.compare_digest(given, stored_hash or NO_CLASS_HASH) and stored_hash is not None
