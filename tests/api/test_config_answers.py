"""Runs of one config at one step share a State request's answer (app/config_answers.py):
the same bytes as each would make, made once; never another step's or another config's."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app import api, config_answers

QUERY = "?include=history,neurons,preview,grid&since=0&digits=6"


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The steps of the States actually made (not sent from what another run's made)."""
    config_answers._answers.clear()
    steps: list[int] = []
    state_of = api.state_of

    def counting(asked, run):
        steps.append(run.step)
        return state_of(asked, run)

    monkeypatch.setattr(api, "state_of", counting)
    return steps


def test_a_class_opening_a_lesson_gets_one_answer_made_once(client: TestClient, made: list[int]):
    ids = [client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"] for _ in range(3)]
    answers = [client.get(f"/api/v1/runs/{i}/state{QUERY}") for i in ids]
    assert len(made) == 1 and all(a.status_code == 200 for a in answers)
    assert answers[0].content == answers[1].content == answers[2].content
    config_answers._answers.clear()  # made anew, it is the same bytes
    assert client.get(f"/api/v1/runs/{ids[2]}/state{QUERY}").content == answers[0].content
    assert len(made) == 2


def test_another_step_or_config_or_question_is_answered_anew(client: TestClient, made: list[int]):
    a, b = (client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"] for _ in range(2))
    other = client.post("/api/v1/runs", json={"preset": "xor", "seed": 99}).json()["id"]
    client.get(f"/api/v1/runs/{a}/state{QUERY}")
    client.post(f"/api/v1/runs/{b}/step", json={"steps": 1})
    moved = client.get(f"/api/v1/runs/{b}/state{QUERY}").json()
    assert moved["state"]["step"] == 1 and made == [0, 1, 1]  # the Step's own State, then this one
    client.get(f"/api/v1/runs/{other}/state{QUERY}")
    client.get(f"/api/v1/runs/{a}/state?digits=6")
    assert made == [0, 1, 1, 0, 0]


def test_a_run_with_its_own_data_is_not_kept(client: TestClient, made: list[int]):
    config = {"dataset": "custom", "data": {"x": [[0, 0], [1, 1]], "y": [[0], [1]]}, "hidden": [2]}
    for _ in range(2):
        run_id = client.post("/api/v1/runs", json=config).json()["id"]
        assert client.get(f"/api/v1/runs/{run_id}/state").status_code == 200
    assert made == [0, 0] and not config_answers._answers
