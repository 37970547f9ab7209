"""Runs of one config at one step share the answer to a State request (GET /state, a Step, a
pause: RunManager.answer, app/timelines.py): the same bytes as each would make, made once;
never another step's, another config's or another question's."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app import api
from app.main import create_app
from app.timelines import Timelines
from tests.api.conftest import settings_for

QUERY = "?include=history,neurons,preview,grid&since=0&digits=6"


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The steps of the States actually made (not sent from what another run's made)."""
    steps: list[int] = []
    state_of = api.state_of

    def counting(asked, run):
        steps.append(run.step)
        return state_of(asked, run)

    monkeypatch.setattr(api, "state_of", counting)
    return steps


def forget_shared(client: TestClient) -> None:
    manager = client.app.state.services.runs
    manager._timelines = Timelines(manager._timelines.most_bytes)


def test_a_class_opening_a_lesson_gets_one_answer_made_once(client: TestClient, made: list[int]):
    ids = [client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"] for _ in range(3)]
    answers = [client.get(f"/api/v1/runs/{i}/state{QUERY}") for i in ids]
    assert len(made) == 1 and all(a.status_code == 200 for a in answers)
    assert answers[0].content == answers[1].content == answers[2].content
    forget_shared(client)  # made anew, it is the same bytes
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


def test_students_stepping_and_pausing_at_one_step_share_the_answer(
    client: TestClient, made: list[int], tmp_path: Path
):
    """A Step's and a pause's answers with the page's parts are made once for the runs of
    a config at a step, and are what a run alone (a server of its own) answers."""
    a, b = (client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"] for _ in range(2))
    page = "include=history,neurons,preview,grid&since=3&digits=6"
    for run_id in (a, b):
        client.post(f"/api/v1/runs/{run_id}/step?fields=step", json={"steps": 3})
    made.clear()
    first = [client.post(f"/api/v1/runs/{a}/step?{page}", json={"steps": 1}).content for _ in range(2)]
    second = [client.post(f"/api/v1/runs/{b}/step?{page}", json={"steps": 1}).content for _ in range(2)]
    assert first == second and made == [4, 5]
    paused = [client.post(f"/api/v1/runs/{run_id}/pause?step=4&{page}").content for run_id in (a, b)]
    assert paused == [first[0], first[0]] and made == [4, 5]  # the answer at step 4, asked the same way
    client.post(f"/api/v1/runs/{a}/step?{page.replace('digits=6', 'digits=3')}", json={"steps": 1})
    assert made == [4, 5, 5]  # asked otherwise
    (tmp_path / "alone").mkdir()
    with TestClient(create_app(settings_for(tmp_path / "alone"))) as alone:
        solo = alone.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
        alone.post(f"/api/v1/runs/{solo}/step?fields=step", json={"steps": 3})
        made.clear()
        assert [
            alone.post(f"/api/v1/runs/{solo}/step?{page}", json={"steps": 1}).content for _ in range(2)
        ] == first
        assert made == [4, 5]


def test_pages_that_last_heard_at_different_steps_share_the_parts_not_the_history(
    client: TestClient, parts_made: list[tuple[str, int]], tmp_path: Path
):
    """Answers asked with another `since` differ (the history rows after it) and are made
    for each page, but their other parts are made once per step: each as its own endpoint
    answers, and as a server alone makes it."""
    ids = [client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"] for _ in range(3)]
    for run_id in ids:
        client.post(f"/api/v1/runs/{run_id}/step?fields=step", json={"steps": 4})
    parts_made.clear()
    page = "include=history,neurons,preview,grid&grid=12"
    answers = [
        client.get(f"/api/v1/runs/{ids[0]}/state?{page}&since=1").json(),
        client.post(f"/api/v1/runs/{ids[1]}/pause?{page}&since=3").json(),
        client.get(f"/api/v1/runs/{ids[2]}/state?{page}&since=0").json(),
    ]
    assert sorted(parts_made) == [("grid", 4), ("neurons", 4), ("preview", 4)]
    for run_id, since, answer in zip(ids, (1, 3, 0), answers, strict=True):
        runs = f"/api/v1/runs/{run_id}"
        assert answer["state"]["step"] == 4
        assert answer["history"] == client.get(f"{runs}/history?since={since}").json()
        assert answer["grid"] == client.get(f"{runs}/grid?points=12").json()
    assert answers[0]["preview"] == answers[1]["preview"] == answers[2]["preview"]
    assert answers[0]["neurons"] == answers[1]["neurons"] == answers[2]["neurons"]
    (tmp_path / "alone").mkdir()
    with TestClient(create_app(settings_for(tmp_path / "alone"))) as alone:
        solo = alone.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
        alone.post(f"/api/v1/runs/{solo}/step?fields=step", json={"steps": 4})
        assert alone.get(f"/api/v1/runs/{solo}/state?{page}&since=1").json() == answers[0]
