"""Facts about a signed-in person that almost every page asks and that rarely change: whether
they are academy staff, whether they have a verified e-mail address, what they follow, which
concerns they wrote.

Asked of the database, they cost three queries a page (the permission check alone is two); kept
in the shared cache they cost one round trip for all of them. Correctness does not rest on a
timeout: every change that can alter a fact drops it at once (see `accounts.signals`):

- a person's groups, permissions, e-mail addresses, follows or reflections change: that person's version number goes
  up, and facts stored under an older one are not used;
- a group's permissions change, or a group or permission is deleted: a generation number shared
  by everyone goes up, with the same effect for every person.

Numbers rather than deletes: a request that read the old state just before a change and stores
its answer just after would otherwise put a stale fact back; stored with the numbers it read
first, such a fact is refused by the next request.

`is_superuser` and `is_active` are read from the user row the request loaded anyway, never from
here. If the cache is unreachable, `known` computes the fact as before: an outage costs queries,
never a wrong answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.cache import cache

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

T = TypeVar("T")

# A safety net only (every change drops the facts at once): a fact outlives no change by more.
TTL_SECONDS = 600
GENERATION_KEY = "accounts:facts:generation"


def _key(user_id: int) -> str:
    return f"accounts:facts:{user_id}"


def _version_key(user_id: int) -> str:
    return f"accounts:facts:version:{user_id}"


def known(user: User, name: str, compute: Callable[[], bool]) -> bool:
    """The yes-or-no fact `name` about `user` (see `remembered`)."""
    return bool(remembered(user, name, compute))


def remembered(user: User, name: str, compute: Callable[[], T]) -> T:
    """The fact `name` about `user`: from this request's copy, the shared cache, or `compute`.

    Whoever changes what `compute` reads calls `forget` for the person (or `forget_everyone`)."""
    memo: dict[str, object] = user.__dict__.setdefault("_known_facts", {})
    if name in memo:
        return memo[name]  # type: ignore[return-value]  # stored by this function for this name
    if not memo.get("_loaded"):
        _take(memo, user.pk, cache.get_many(_keys(user.pk)))
    if name not in memo:
        memo[name] = compute()
        facts = {key: value for key, value in memo.items() if key != "_loaded"}
        cache.set(_key(user.pk), facts, TTL_SECONDS)
    return memo[name]  # type: ignore[return-value]


def _keys(user_id: int) -> list[str]:
    return [GENERATION_KEY, _version_key(user_id), _key(user_id)]


def _take(memo: dict[str, object], user_id: int, stored: dict[str, Any]) -> None:
    stamp = (stored.get(GENERATION_KEY, 0), stored.get(_version_key(user_id), 0))
    entry = stored.get(_key(user_id))
    if isinstance(entry, dict) and entry.get("_stamp") == stamp:
        memo.update(entry)
    memo["_loaded"] = True
    memo["_stamp"] = stamp


def read_with(user: User | AnonymousUser, keys: list[str]) -> dict[str, Any]:
    """`keys` from the shared cache, and the signed-in person's facts (which the request is about
    to ask) in the same round trip: a page that reads both pays one instead of two."""
    memo: dict[str, object] = user.__dict__.setdefault("_known_facts", {}) if user.is_authenticated else {}
    if not user.is_authenticated or memo.get("_loaded"):
        return cache.get_many(keys)
    stored = cache.get_many([*_keys(user.pk), *keys])
    _take(memo, user.pk, stored)
    return {key: stored[key] for key in keys if key in stored}


def _increment(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # not there yet (or evicted): any value differs from the 0 assumed
        cache.set(key, 1, timeout=None)


def forget(*user_ids: int) -> None:
    """Refuse what is known of these people (their groups, permissions or addresses changed)."""
    for user_id in user_ids:
        _increment(_version_key(user_id))
    # Deleted as well: if the cache ever evicted a version number, the old facts are gone too.
    cache.delete_many([_key(user_id) for user_id in user_ids])


def forget_everyone() -> None:
    """Refuse what is known of everybody (a group's permissions changed)."""
    _increment(GENERATION_KEY)
