"""What text the journal accepts, and how stored text is shown in a terminal.

One rule for every way text comes in (the web API and forms, command-line arguments, an imported
export): no NUL and no other control character, except a tab or a line break in text that may
span lines (comments, notes), and nothing that is not valid Unicode (bytes that are not UTF-8 come
from the command line as lone surrogates). PostgreSQL cannot store a NUL at all, and a terminal
runs escape sequences, so such text is refused at the edge with the field named, the same on
every database, rather than failing deep inside one of them.

>>> text_problem("fine\\nwith lines", multiline=True) is None
True
>>> text_problem("a\\x00b")
'contains a NUL character'
>>> text_problem("red \\x1b[31m")
'contains a control character (U+001B)'
>>> text_problem("two\\nlines")
'contains a line break; give it on one line'
>>> text_problem("caf\\udcc3")
'is not valid text (bytes that are not UTF-8)'

Text already stored (by an older version, say) is shown with its control characters made visible:

>>> for_terminal("\\x1b]0;pwned\\x07 note\\n")
'\\\\x1b]0;pwned\\\\x07 note\\n'
"""

from __future__ import annotations

import re

__all__ = ["for_terminal", "text_problem"]

# C0 controls but tab, line feed and carriage return; DEL and the C1 controls; lone surrogates.
# Every character these find is one str.isprintable() refuses, so printable text (nearly all of
# it) skips them; ``re`` compiles them on first use (the two with surrogates took about 0.7 ms
# each, which every command importing this module paid at start).
_NEVER = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]"
_LINE_BREAKS = "[\t\n\r]"
_SHOWN_ESCAPED = "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]"


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` cannot be stored (to follow a field's name), or None when it can."""
    if value.isprintable():
        return None
    found = re.search(_NEVER, value)
    if found is not None:
        code = ord(found.group())
        if code == 0:
            return "contains a NUL character"
        if 0xD800 <= code <= 0xDFFF:
            return "is not valid text (bytes that are not UTF-8)"
        return f"contains a control character (U+{code:04X})"
    if not multiline:
        found = re.search(_LINE_BREAKS, value)
        if found is not None:
            return (
                "contains a tab; use spaces"
                if found.group() == "\t"
                else "contains a line break; give it on one line"
            )
    return None


def for_terminal(value: str) -> str:
    """``value`` with every control character but tab and line feed shown as ``\\xNN``."""
    if value.isprintable():
        return value
    return re.sub(_SHOWN_ESCAPED, lambda m: f"\\x{ord(m.group()):02x}", value)
