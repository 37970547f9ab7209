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
