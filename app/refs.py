"""Values a config names by code instead of carrying them ("@<code>"): custom data, weights.

A code is a hash of the value, so the same value always gets the same code and a code always
means the same value (app/blobs.py stores them for URLs). A run's config is stored the same
way when it carries such a value: the runs table holds the code, the value is kept once among
the stored values, under their cap. Twenty runs each carrying 3.9 MB of custom data grew the
database by 72 MB, with nothing to stop the next twenty.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from typing import Any

import orjson

from app.store import Store
from app.store.errors import store_full

REF_FIELDS = ("data", "weights")  # the config fields that may be given by reference
STORED_CODE = re.compile(r"^@([A-Za-z0-9_-]{22})$")


def code_of(value: Any) -> str:
    """22 characters (132 bits) of SHA-256 over the value's canonical JSON."""
    digest = hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)).digest()
    return base64.urlsafe_b64encode(digest).decode()[:22]


@functools.lru_cache(maxsize=8)  # a value is at most max_custom_rows × 785 numbers
def parsed(payload: str) -> Any:
    """A stored value parsed once: every URL naming it reuses the parse (the key is the text,
    so a value is never served for another). Callers must not change what they get."""
    return orjson.loads(payload)


def by_reference(fields: dict[str, Any], store: Store, most: int) -> dict[str, Any]:
    """Config fields with each value a reference may stand for stored under its code and named
    "@<code>"; store_full (naming the field) if the store holds `most` values and not this one."""
    out = dict(fields)
    for name in REF_FIELDS:
        value = out.get(name)
        if value is None or isinstance(value, str):
            continue
        code = code_of(value)
        if not store.put_blob(code, orjson.dumps(value).decode(), most):
            raise store_full(name, "values", most)
        out[name] = f"@{code}"
    return out


def with_values(fields: dict[str, Any], store: Store) -> dict[str, Any]:
    """`by_reference`'s fields back with their values (a run's stored config read again)."""
    out = dict(fields)
    for name in REF_FIELDS:
        value = out.get(name)
        match = STORED_CODE.fullmatch(value) if isinstance(value, str) else None
        if match is not None:
            payload = store.get_blob(match[1])
            if payload is None:  # stored with the run, never deleted: a database edited by hand
                raise LookupError(f"the stored value {value} of a run's {name} is missing")
            out[name] = parsed(payload)
    return out
