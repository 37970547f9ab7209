"""The SSE stream, in-process: events, limits, divergence."""

from __future__ import annotations

import time

import orjson


def events(text: str) -> list[tuple[str, dict]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in lines:
            out.append((lines["event"], orjson.loads(lines["data"])))
    return out


def test_stream_sends_states_then_end(client):
    run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
    response = client.get(f"/api/v1/runs/{run_id}/stream?rate=120&max_frames=5&fields=step,loss")
    assert response.headers["content-type"].startswith("text/event-stream")
    got = events(response.text)
    kinds = [kind for kind, _ in got]
    assert kinds == ["state"] * 5 + ["end"]
    steps = [data["step"] for kind, data in got if kind == "state"]
    assert steps == sorted(steps) and steps[0] >= 1
    assert got[-1][1] == {"reason": "max_frames", "step": steps[-1]}
    assert client.get(f"/api/v1/runs/{run_id}").json()["step"] == steps[-1]  # the store follows the stream


def test_stream_states_equal_the_rest_api(client):
    run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
    got = events(client.get(f"/api/v1/runs/{run_id}/stream?rate=120&max_frames=2&steps_per_frame=3").text)
    last = got[-2][1]
    assert last == client.get(f"/api/v1/runs/{run_id}/state").json()


def test_stream_stops_on_divergence(client):
    run_id = client.post("/api/v1/runs", json={"preset": "exploding"}).json()["id"]
    got = events(client.get(f"/api/v1/runs/{run_id}/stream?rate=120&steps_per_frame=100&fields=step").text)
    assert got[-1][0] == "end" and got[-1][1]["reason"] == "diverged"


def test_stream_limits_are_enforced(client):
    run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
    assert client.get(f"/api/v1/runs/{run_id}/stream?steps_per_frame=100000").status_code == 422
    assert client.get(f"/api/v1/runs/{run_id}/stream?rate=0").status_code == 422
    assert client.get(f"/api/v1/runs/{run_id}/stream?fields=nope").status_code == 422


def test_a_busy_server_does_not_make_frames_bigger(client, monkeypatch):
    """A frame the server took three intervals to build (busy with other streams) is late by
    the server's doing: the next frame shows the next step rather than catching up with the
    wall clock, which would make every frame costlier on a server already short of time."""
    from app.runs import RunManager

    build = RunManager.stream_frame
    interval = 1 / 10  # long beside the time a busy test machine takes to pass a frame on

    def busy(self, *args, **kwargs):
        time.sleep(3 * interval)
        return build(self, *args, **kwargs)

    monkeypatch.setattr(RunManager, "stream_frame", busy)
    run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
    got = events(client.get(f"/api/v1/runs/{run_id}/stream?rate=10&max_frames=6&fields=step").text)
    steps = [data["step"] for kind, data in got if kind == "state"]
    assert steps == [1, 2, 3, 4, 5, 6]


def test_time_a_client_takes_is_caught_up_time_the_server_takes_is_not():
    from app.stream import Schedule

    slow_client = Schedule(rate=10, steps_per_frame=2, start_time=0.0, start_step=100)
    assert slow_client.target(0, 0.0) == 102
    slow_client.built(0, free=0.0, now=0.01)  # built in a tenth of its interval...
    # ... and the client took half a second to take it: the next frame shows the wall clock's step
    assert slow_client.due(1) == 0.1
    assert slow_client.target(1, 0.51) == 100 + round(5.1 * 2)

    busy_server = Schedule(rate=10, steps_per_frame=2, start_time=0.0, start_step=100)
    busy_server.built(0, free=0.0, now=0.5)  # five intervals to build: four were the server's
    assert abs(busy_server.lost - 0.4) < 1e-12
    assert abs(busy_server.due(1) - 0.5) < 1e-12  # due now, not long overdue
    assert busy_server.target(1, 0.5) == 104  # one frame on, no bigger


def test_frames_end_on_multiples_of_their_steps_so_a_class_shares_them():
    """Streams of one config land on common steps (app/timelines.py): a frame's step is
    rounded down to a multiple of steps_per_frame, unless that is not past where it began."""
    from app.stream import Schedule

    after_a_step = Schedule(rate=10, steps_per_frame=5, start_time=0.0, start_step=103)
    assert [after_a_step.target(k, k / 10) for k in range(3)] == [105, 110, 115]
    from_zero = Schedule(rate=10, steps_per_frame=5, start_time=0.0, start_step=0)
    assert [from_zero.target(k, k / 10) for k in range(3)] == [5, 10, 15]
    one_at_a_time = Schedule(rate=10, steps_per_frame=1, start_time=0.0, start_step=103)
    assert [one_at_a_time.target(k, k / 10) for k in range(3)] == [104, 105, 106]
    just_before = Schedule(rate=10, steps_per_frame=5, start_time=0.0, start_step=104)
    assert just_before.target(0, 0.0) == 105  # one step: the next multiple is past 104


def test_a_stream_asking_too_much_work_is_a_422_naming_the_field(tmp_path):
    """The work check runs before the response starts: a stream a frame of which would step
    more than a request may gets a 422 saying the most allowed, not headers and then a
    broken stream."""
    from fastapi.testclient import TestClient

    from app.main import create_app
    from tests.api.conftest import settings_for

    with TestClient(create_app(settings_for(tmp_path, max_work=10_000))) as client:
        run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]  # ~4 steps a request
        response = client.get(f"/api/v1/runs/{run_id}/stream?steps_per_frame=50&max_frames=2&fields=step")
        assert response.status_code == 422
        error = response.json()["detail"][0]
        assert error["loc"][-1] == "steps_per_frame" and error["allowed"].startswith("at most")


def test_the_digit_nets_frames_do_not_queue_for_the_heavy_lane(client, monkeypatch):
    """A frame steps for at most half its interval, so it is never long work: the frames of
    a class of digit-net streams share the server's threads rather than queueing one at a
    time for the heavy lane (one thread, eight waiting, then 503), which played each
    student's digit net at under one frame a second."""
    from app.lanes import Lanes

    heavy = Lanes.heavy
    calls = []

    async def counted(self, fn, request, key=None):
        calls.append(fn)
        return await heavy(self, fn, request, key)

    monkeypatch.setattr(Lanes, "heavy", counted)
    run_id = client.post("/api/v1/runs", json={"preset": "digits"}).json()["id"]
    got = events(client.get(f"/api/v1/runs/{run_id}/stream?rate=40&max_frames=4&fields=step").text)
    assert [kind for kind, _ in got] == ["state"] * 4 + ["end"]
    assert calls == []


def test_a_stream_carries_the_side_plots_numbers_for_the_step_that_follows(client):
    """With include=, the first frame comes after an `extras` event for its own step, each
    part as its own endpoint answers at that step: a playing page asks nothing else."""
    run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
    url = (
        f"/api/v1/runs/{run_id}/stream?rate=40&max_frames=1&fields=step&include=preview,neurons,grid&grid=20"
    )
    got = events(client.get(url).text)
    assert [kind for kind, _ in got] == ["extras", "state", "end"]
    extras, state = got[0][1], got[1][1]
    assert extras["step"] == state["step"] == 1
    runs = f"/api/v1/runs/{run_id}"
    assert extras["preview"] == client.get(f"{runs}/preview?points=41&until=2").json()
    assert extras["neurons"] == client.get(f"{runs}/neurons").json()
    assert extras["grid"] == client.get(f"{runs}/grid?points=20").json()


def test_a_stream_carries_the_extras_twice_a_second_not_with_every_frame(client):
    run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
    got = events(
        client.get(f"/api/v1/runs/{run_id}/stream?rate=40&max_frames=30&fields=step&include=preview").text
    )
    kinds = [kind for kind, _ in got]
    assert kinds[0] == "extras" and kinds.count("state") == 30
    assert 2 <= kinds.count("extras") <= 10  # 30 frames at 40 a second: 0.75 s; longer on a busy machine
    for i, (kind, data) in enumerate(got):
        if kind == "extras":
            assert got[i + 1] == ("state", {"step": data["step"]})


def test_a_classs_streams_carry_the_extras_on_the_same_steps_and_make_them_once(
    client, monkeypatch, parts_made
):
    """Extras come with the first frame and then the first at or past each multiple of the
    steps half a second of the stream's clock covers (20 at 40 frames a second): the same
    steps for every stream of a class, whose parts are then made once for all of them."""
    from app import stream

    monkeypatch.setattr(stream, "EXTRAS_LATE", 1e9)  # no stream here is late: steps alone decide
    ids = [client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"] for _ in range(2)]
    carried = []
    for run_id in ids:
        got = events(
            client.get(
                f"/api/v1/runs/{run_id}/stream?rate=40&max_frames=45&fields=step&include=preview,neurons"
            ).text
        )
        frames = [data["step"] for kind, data in got if kind == "state"]
        with_extras = [data["step"] for kind, data in got if kind == "extras"]
        crossing = [s for before, s in zip(frames, frames[1:], strict=False) if s // 20 > before // 20]
        assert with_extras == [frames[0], *crossing] and len(with_extras) >= 2
        carried.append(with_extras)
    assert carried[0][0] == carried[1][0] == 1  # both streams' first frame: step 1
    parts = [
        (name, step) for steps in carried for step in dict.fromkeys(steps) for name in ("preview", "neurons")
    ]
    assert sorted(parts_made) == sorted(
        set(parts)
    )  # each part at each step once, whichever stream came first


def test_a_streams_extras_carry_the_history_since_the_one_before(client):
    """With `history`, each extras event brings the rows the page lacks (the first: since the
    page's own `since`): laid end to end they are the run's history up to the last of them,
    and a pause then asks only for the rest."""
    run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
    client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 7})
    got = events(
        client.get(
            f"/api/v1/runs/{run_id}/stream?rate=40&max_frames=40&fields=step&include=history,neurons&since=7"
        ).text
    )
    extras = [data for kind, data in got if kind == "extras"]
    assert len(extras) >= 2 and all("neurons" in e for e in extras)
    steps = [s for e in extras for s in e["history"]["step"]]
    last = extras[-1]["step"]
    assert steps == list(range(7, last))  # each row once, in order, none before `since`
    whole = client.get(f"/api/v1/runs/{run_id}/history").json()
    assert [x for e in extras for x in e["history"]["loss"]] == whole["loss"][7:last]
    evals = [s for e in extras for s in e["history"]["eval_step"]]
    assert evals == [s for s in whole["eval_step"] if 7 < s <= last]
    paused = client.post(f"/api/v1/runs/{run_id}/pause?include=history&since={last}").json()
    assert paused["history"]["step"] == list(range(last, paused["state"]["step"]))


def test_a_stream_refuses_extras_it_cannot_carry(client):
    xor = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
    digits = client.post("/api/v1/runs", json={"preset": "digits"}).json()["id"]
    for run_id, include in [(xor, "nope"), (digits, "grid")]:
        response = client.get(f"/api/v1/runs/{run_id}/stream?max_frames=1&include={include}")
        assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "include"


def test_a_worker_builds_at_most_as_many_frames_at_once_as_it_has_cores(client, monkeypatch):
    """However many students play, a worker builds FRAME_BUILDERS frames at a time: more
    threads at it only contended (30 digit-net streams: 10.6 ms of CPU a frame with 40
    threads building, 4.3 ms with 2)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from app import stream
    from app.runs import RunManager

    monkeypatch.setattr(stream, "FRAME_BUILDERS", 2, raising=False)
    build, lock = RunManager.stream_frame, threading.Lock()
    building, most = [0], [0]

    def counted(self, *args, **kwargs):
        with lock:
            building[0] += 1
            most[0] = max(most[0], building[0])
        time.sleep(0.02)
        try:
            return build(self, *args, **kwargs)
        finally:
            with lock:
                building[0] -= 1

    monkeypatch.setattr(RunManager, "stream_frame", counted)
    runs = [client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"] for _ in range(6)]
    with ThreadPoolExecutor(6) as pool:
        texts = list(
            pool.map(lambda r: client.get(f"/api/v1/runs/{r}/stream?rate=120&max_frames=4").text, runs)
        )
    assert all([kind for kind, _ in events(text)] == ["state"] * 4 + ["end"] for text in texts)
    assert most[0] == 2


def raw_states(text: str) -> dict[int, bytes]:
    """Each state event's data, as sent, by its step."""
    out = {}
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if lines.get("event") == "state":
            out[int(lines["id"])] = lines["data"].encode()
    return out


def test_streams_of_one_config_share_their_frames_bit_for_bit(client, monkeypatch):
    """A class plays one lesson: a stream's frame is the bytes another stream of the config
    sent at that step (app/timelines.py), made once; the first frame of each stream is its
    own (it carries the training rows' inputs, once per stream), and every frame is the one
    a stream alone would send. A stream of another config shares none."""
    import app.stream

    made: list[int] = []
    state_json = app.stream.state_json
    monkeypatch.setattr(
        app.stream, "state_json", lambda run, *a, **k: made.append(run.step) or state_json(run, *a, **k)
    )
    query = "stream?rate=20&max_frames=8&steps_per_frame=5&format=compact&fields=step,loss,layers.W,layers.a,batch"

    def play(run_id: str) -> dict[int, bytes]:
        made.clear()
        return raw_states(client.get(f"/api/v1/runs/{run_id}/{query}").text)

    one, two = (client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"] for _ in range(2))
    first = play(one)
    assert len(made) == len(first) == 8 and all(step % 5 == 0 for step in first)
    second = play(two)
    common = first.keys() & second.keys()
    assert len(common) >= 6 and all(first[step] == second[step] for step in common if step != min(second))
    assert len(made) <= 1 + len(second.keys() - first.keys())  # its first frame, and steps none had made
    alone = play(client.post("/api/v1/runs", json={"preset": "xor", "seed": 3}).json()["id"])
    assert len(made) == len(alone)


def test_streams_asking_other_fields_or_digits_are_not_given_each_others_frames(client):
    """A shared frame is shared only with a stream asking the same way: each stream's frames
    carry its own fields and digits, as a stream alone would send them."""
    one, two, three = (client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"] for _ in range(3))
    base = "stream?rate=20&max_frames=4&steps_per_frame=5"
    asked = {one: "&fields=step,loss", two: "&fields=step,lr", three: "&fields=step,loss&digits=2"}
    got = {
        run_id: events(client.get(f"/api/v1/runs/{run_id}/{base}{query}").text)
        for run_id, query in asked.items()
    }
    for run_id, want in ((one, {"step", "loss"}), (two, {"step", "lr"}), (three, {"step", "loss"})):
        assert all(set(data) == want for kind, data in got[run_id] if kind == "state"), got[run_id]
    losses = [data["loss"] for kind, data in got[three] if kind == "state"]
    assert all(loss == round(loss, 2) for loss in losses)  # two digits, not the first stream's


def test_a_slow_stream_sends_heartbeats_and_ends_after_its_time(tmp_path, monkeypatch):
    """rate=0.1 held a connection ~11.6 days (100,000 frames, one every 10 s) with nothing
    between frames: now a comment line when no frame was sent for a while, and an end (reason
    max_seconds) after BPX_MAX_STREAM_SECONDS, which /meta lists."""
    from fastapi.testclient import TestClient

    from app import stream
    from app.main import create_app
    from tests.api.conftest import settings_for

    monkeypatch.setattr(stream, "HEARTBEAT_SECONDS", 0.3)
    with TestClient(create_app(settings_for(tmp_path, max_stream_seconds=1.2))) as client:
        assert client.get("/api/v1/meta").json()["limits"]["max_stream_seconds"] == 1.2
        run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
        start = time.monotonic()
        text = client.get(f"/api/v1/runs/{run_id}/stream?rate=0.1&fields=step").text
        assert time.monotonic() - start < 5
    assert text.count("event: state") == 1 and text.count(": keep-alive\n\n") >= 2, text
    end = orjson.loads(text.split("event: end\ndata: ")[1].split("\n")[0])
    assert end == {"reason": "max_seconds", "step": 1}
