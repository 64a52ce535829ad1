"""Whether a passphrase is strong enough to guard a journal opened to the network.

At least :data:`MIN_LENGTH` (10) characters, and not made only of trivial pieces: common passwords
and words (written here, with letters swapped for look-alike digits undone), keyboard walks and
alphabet or digit runs of three or more, one character repeated, short numbers (a year, a PIN),
punctuation and spaces. So ``password2024``, ``qwertyuiop``, ``1234567890``, ``aaaaaaaaaa``,
``P@ssw0rd!!`` and ``iloveyou sunshine`` are refused, while ``a long passphrase`` or four random
words pass. With the server's limit of about a hundred guesses a day (see
:mod:`solemate.web.sign_in_limits`), a passphrase outside these pieces is out of reach of guessing.

The rule is this module's own (no word list from elsewhere): a maintained strength estimator would
add megabytes of frequency lists to guard a single prompt.

>>> weakness("12345678")
'the passphrase must be at least 10 characters (got 8)'
>>> weakness("        ")
'the passphrase must not be only spaces'
>>> weakness("qwerty123456")
'the passphrase is too easy to guess (common words, keyboard or alphabet runs, repeats): use a few unrelated words'
>>> weakness("a long passphrase") is None
True
"""

from __future__ import annotations

__all__ = ["MAX_LENGTH", "MIN_LENGTH", "weakness"]

MIN_LENGTH = 10
MAX_LENGTH = 1024

# Walks along the keyboard and runs of letters and digits; any three or more characters in a row
# (forwards or backwards) count as one trivial piece.
_RUNS = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "`1234567890-=",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "qwertzuiopü",
    "yxcvbnm",
    "azertyuiop",
    "qsdfghjklm",
    "wxcvbn",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "1q2w3e4r5t6y7u8i9o0p",
    "q1w2e3r4t5y6u7i8o9p0",
    "qazwsxedcrfvtgbyhnujmikolp",
    "zaqxswcdevfrbgtnhymju",
)
_SEQUENCES = _RUNS + tuple(run[::-1] for run in _RUNS)

_COMMON_WORDS = """
    password passwort passwd passphrase pass word secret letmein welcome iloveyou love lover
    admin administrator root login user guest master monkey dragon football baseball soccer
    hockey princess sunshine shadow superman batman trustno trust starwars whatever freedom hello
    test testing changeme change default solemate massage foot feet sleep goodnight night bedtime
    computer internet michael jennifer charlie jordan summer winter spring autumn flower cheese
    killer pokemon mustang access ninja nothing please thanks pepper ginger cookie banana apple
    orange chocolate family forever lovely angel baby buster tigger jesus god money hunter ranger
    matrix samsung google facebook mobile phone android iphone wifi network router home house
    temp open sesame blink mypass qwerty azerty qwertz asdf zxcv abc xyz one two three four
    soleil bonjour hallo ciao amore contrase contrasena senha motdepasse
"""
_COMMON = frozenset(_COMMON_WORDS.split())

_LOOKALIKES = str.maketrans("0134578@$!|", "oieastbasil")


def weakness(passphrase: str) -> str | None:
    """Why ``passphrase`` may not be used, or None when it is good enough."""
    if not passphrase.strip():
        return "the passphrase must not be only spaces"
    if any(ord(c) < 32 or ord(c) == 127 for c in passphrase):
        return "the passphrase must not contain control characters"
    if not MIN_LENGTH <= len(passphrase) <= MAX_LENGTH:
        return (
            f"the passphrase must be at least {MIN_LENGTH} characters (got {len(passphrase)})"
            if len(passphrase) < MIN_LENGTH
            else f"the passphrase must be at most {MAX_LENGTH} characters (got {len(passphrase)})"
        )
    lowered = passphrase.lower()
    if _trivial(lowered) or _trivial(lowered.translate(_LOOKALIKES)):
        return (
            "the passphrase is too easy to guess (common words, keyboard or alphabet runs, "
            "repeats): use a few unrelated words"
        )
    return None


def _trivial(text: str) -> bool:
    """True when ``text`` is nothing but trivial pieces, end to end."""
    if len(set(text)) < 4:
        return True
    n = len(text)
    covered = [False] * (n + 1)
    covered[0] = True
    for start in range(n):
        if not covered[start]:
            continue
        for end in _piece_ends(text, start):
            covered[end] = True
    return covered[n]


def _piece_ends(text: str, start: int) -> set[int]:
    ends: set[int] = set()
    first = text[start]
    if not first.isalpha():
        ends.add(start + 1)  # a digit, a space or a punctuation mark on its own
    end = start + 1
    while end < len(text) and text[end] == first:
        end += 1
    ends.update(range(start + 2, end + 1))  # one character repeated
    end = start
    while end < len(text) and text[end].isdigit() and end - start < 4:
        end += 1
        ends.add(end)  # a short number: a year, a PIN
    for stop in range(start + 3, len(text) + 1):
        piece = text[start:stop]
        in_run = any(piece in run for run in _SEQUENCES)
        if in_run or piece in _COMMON:
            ends.add(stop)
        if not in_run and not _prefix_of_common(piece):
            break
    return ends


def _prefix_of_common(piece: str) -> bool:
    return any(word.startswith(piece) for word in _COMMON)
