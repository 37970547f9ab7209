"""GET /api/v1/code: the reference step's lines per quantity, and the lessons' tours in /meta."""

from __future__ import annotations

from engine import reference


def test_code_is_the_reference_modules_source(client):
    response = client.get("/api/v1/code")
    assert response.status_code == 200
    quantities = response.json()["quantities"]
    assert quantities == reference.code()
    assert "z = a_prev @ W.T + b" in quantities["z"]
    assert "W_new = W - lr * dW" in quantities["update"]


def test_lessons_carry_their_tours(client):
    presets = {p["name"]: p for p in client.get("/api/v1/meta").json()["presets"]}
    xor = presets["xor"]["tour"]
    assert [c["kind"] for c in xor] == [
        "forward",
        "forward",
        "loss",
        "delta_out",
        "delta_hidden",
        "dW",
        "update",
    ]
    assert [c["kind"] for c in presets["digits"]["tour"]] == ["wants_output", "wants_hidden", "batch_average"]
    assert presets["adam"]["tour"] is None
