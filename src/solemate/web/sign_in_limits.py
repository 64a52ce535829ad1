"""How long a wrong passphrase makes the next attempt wait: per client, and for everyone together.

A few typing mistakes cost nothing; after that each wrong guess doubles the wait, and past a limit
every further guess locks sign-in out for 15 minutes. The same rule runs twice: for one client
(its address; an IPv6 client by its /64, which one household or attacker usually holds whole)
and for all clients together, so guessing from many addresses is slowed as well. Waiting is never
done by the server: an attempt that comes too early is answered 429 with ``Retry-After`` at once.

Worked example, one client (:data:`PER_CLIENT`): guesses 1-3 are free; the 4th wrong one makes
the next wait 2 s, then 4, 8, 16, 32, 64 s; from the 10th on each makes it wait 15 minutes:

>>> [PER_CLIENT.delay_after(n) for n in range(1, 11)]
[0.0, 0.0, 0.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 900.0]

That is at most 9 guesses in the first two minutes and then 4 an hour (about 100 a day instead
of a million). Everyone together (:data:`EVERYONE`) get 20 free guesses before the same ladder.
A browser with a valid cookie never signs in again and is never slowed; a correct passphrase
clears its client's count.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

__all__ = ["EVERYONE", "EVERYONE_SCOPE", "PER_CLIENT", "Limit", "client_scope", "delay"]

EVERYONE_SCOPE = "everyone"


@dataclass(frozen=True)
class Limit:
    """How many wrong passphrases pass freely, and when attempts wait or lock out."""

    free: int
    lockout_after: int
    lockout_seconds: float = 900.0

    def delay_after(self, failures: int) -> float:
        """Seconds the next attempt waits after ``failures`` wrong ones in a row."""
        if failures <= self.free:
            return 0.0
        if failures >= self.lockout_after:
            return self.lockout_seconds
        return min(float(2 ** (failures - self.free)), self.lockout_seconds)


PER_CLIENT = Limit(free=3, lockout_after=10)
EVERYONE = Limit(free=20, lockout_after=27)


def client_scope(address: str | None) -> str:
    """The scope a client's guesses are counted in: its IPv4 address, or its IPv6 /64.

    >>> client_scope("192.0.2.7"), client_scope("2001:db8:1:2:aaaa::1")
    ('client 192.0.2.7', 'client 2001:db8:1:2::/64')
    """
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return f"client {(address or 'unknown')[:60]}"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return f"client {parsed.ipv4_mapped}"
        return f"client {ipaddress.ip_network(f'{parsed}/64', strict=False)}"
    return f"client {parsed}"


def delay(scope: str, failures: int) -> float:
    """The wait for ``scope``: :data:`EVERYONE`'s rule for all clients, else :data:`PER_CLIENT`."""
    return (EVERYONE if scope == EVERYONE_SCOPE else PER_CLIENT).delay_after(failures)
