"""engine/recent.py: each value made once while kept, the least recently used goes first,
and a value `keep` refuses is given but not kept."""

from __future__ import annotations

from engine.recent import Recent


def test_values_are_made_once_and_the_least_recently_used_goes_first():
    made: list[str] = []
    recent: Recent[str, str] = Recent(2)

    def get(key: str) -> str:
        return recent.get(key, lambda: made.append(key) or key.upper())

    assert [get("a"), get("b"), get("a")] == ["A", "B", "A"] and made == ["a", "b"]
    get("c")  # "b" was used longest ago
    assert "a" in recent and "b" not in recent and len(recent) == 2
    get("b")
    assert made == ["a", "b", "c", "b"]


def test_a_value_keep_refuses_is_given_but_made_again_next_time():
    recent: Recent[int, bytes] = Recent(4)
    big = recent.get(1, lambda: b"x" * 10, keep=lambda v: len(v) <= 4)
    assert big == b"x" * 10 and 1 not in recent
    recent.get(2, lambda: b"ok", keep=lambda v: len(v) <= 4)
    assert 2 in recent
    recent.discard(2)
    assert len(recent) == 0
