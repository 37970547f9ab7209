"""Playing and pausing: the step shown is the step of the numbers shown (counter, URL, every
panel, the server). That a slow net's frames keep coming is tested on the stream itself
(tests/api/test_pause.py) and measured in make bench (tests/bench/bench_classroom.py)."""

from __future__ import annotations

import math

import httpx
import pytest

pytestmark = pytest.mark.browser


def agree(server, page, p) -> int:
    """Counter, URL, the hook and the server all name one step, and the numbers are the server's."""
    run_id = p.evaluate("window.__bpx.runId")
    server_state = httpx.get(f"{server.url}/api/v1/runs/{run_id}/state?fields=step,loss,penalty").json()
    step = server_state["step"]
    assert p.evaluate("window.__bpx.step") == step
    assert int(p.locator("#step-input").input_value()) == step
    url_step = p.evaluate("new URLSearchParams(location.search).get('step')")
    assert int(url_step or 0) == step
    # the numbers of that step (a diverged one's named: "NaN" is NaN, "Infinity" ∞)
    shown, loss = p.evaluate("window.__bpx.model.state.loss"), float(server_state["loss"])
    assert shown == loss or (math.isnan(shown) and math.isnan(loss))
    history = p.evaluate("window.__bpx.model.history.step")
    assert history == list(range(step))  # the curves end where the counter is
    return step


@pytest.mark.parametrize("preset, speed", [("digits", 100), ("xor", 100), ("xor", 1)])
def test_after_play_and_pause_everything_shows_one_step(page, server, preset, speed):
    p = page.open(f"?preset={preset}&speed={speed}")
    p.click("#btn-play")
    p.wait_for_function("window.__bpx.step >= 3", timeout=20_000)
    p.wait_for_timeout(1500)
    p.click("#btn-play")
    page.wait_idle()
    step = agree(server, page, p)
    p.wait_for_timeout(500)  # a frame that was still on its way changes nothing
    assert agree(server, page, p) == step
    if preset == "digits":  # the lab's test-set line names the same step
        p.locator("#digit-lab").scroll_into_view_if_needed()  # it asks for its numbers when on screen
        p.wait_for_function(
            f"document.querySelector('#dl-acc').textContent.includes('{step}')", timeout=10_000
        )
    p.keyboard.press("n")  # the next step follows the one shown
    page.wait_idle()
    assert agree(server, page, p) == step + 1


def test_jump_reset_and_compare_keep_counter_url_and_server_together(page, server):
    p = page.open("?preset=xor&b_optimizer=adam")
    p.fill("#step-input", "40")
    p.press("#step-input", "Enter")
    page.wait_idle()
    assert agree(server, page, p) == 40
    p.wait_for_function("window.__bpx.compare.state && window.__bpx.compare.state.step === 40")
    p.fill("#step-input", "12")  # backwards
    p.press("#step-input", "Enter")
    page.wait_idle()
    assert agree(server, page, p) == 12
    p.wait_for_function("window.__bpx.compare.state.step === 12")
    p.click("#btn-play")
    p.wait_for_function("window.__bpx.step >= 30", timeout=20_000)
    p.click("#btn-play")
    page.wait_idle()
    step = agree(server, page, p)
    p.wait_for_function(f"window.__bpx.compare.state.step === {step}")
    run_b = p.evaluate("window.__bpx.compare.runId")
    assert httpx.get(f"{server.url}/api/v1/runs/{run_b}").json()["step"] == step
    p.keyboard.press("r")
    page.wait_idle()
    assert agree(server, page, p) == 0


@pytest.mark.parametrize("preset", ["xor", "digits"])
def test_while_playing_the_side_plots_come_with_the_frames(page, preset):
    """The stream brings the side plots' numbers twice a second (preview, neurons, the grid over
    the input plane): a playing page redraws them without a request of its own, which for a
    class of students was most of the server's work while they played."""
    p = page.open(f"?preset={preset}")
    asked: list[str] = []
    p.on("request", lambda r: asked.append(r.url.split("?")[0].rsplit("/", 1)[-1]))
    p.click("#btn-play")
    p.wait_for_function("window.__bpx.step >= 5", timeout=20_000)
    p.wait_for_timeout(1500)
    drawn = p.evaluate(
        "[window.__bpx.model.nodeMaps?.step ?? null, window.__bpx.model.run.extras?.step ?? null]"
    )
    with p.expect_request(lambda r: "/pause" in r.url):  # sent from the run's queue, after the click returns
        p.click("#btn-play")
    playing = asked[: asked.index("pause")]
    assert playing == ["stream"]
    maps_step, extras_step = drawn
    assert extras_step and extras_step > 0
    if preset == "xor":  # the neuron maps were drawn from a frame's grid while playing
        assert maps_step and maps_step > 0


def test_a_digit_net_plays_the_inputs_of_the_sample_it_shows(page):
    """The network view draws one sample's digit (or the batch mean): a played frame carries the
    per-sample rows of that sample alone (or their mean), and another sample picked while
    playing is another stream."""
    p = page.open("?preset=digits&speed=1")
    streams: list[str] = []
    p.on("request", lambda r: streams.append(r.url) if "/stream" in r.url else None)
    has = "() => window.__bpx.model.state.batch.x.map((x, k) => x ? k : -1).filter((k) => k >= 0)"

    def played_on() -> None:  # frames of the stream now asked for: past the pause that ended the last one
        step = p.evaluate("window.__bpx.step")
        p.wait_for_function(f"window.__bpx.model.playing && window.__bpx.step > {step} + 3", timeout=20_000)

    p.click("#btn-play")
    played_on()
    assert "sample=0" in streams[-1] and p.evaluate(has) == [0]
    p.locator("#sample").select_option("7")
    played_on()
    assert "sample=7" in streams[-1] and p.evaluate(has) == [7]
    p.locator("#sample").select_option("mean")
    played_on()
    assert "sample=mean" in streams[-1] and p.evaluate(has) == []
    assert p.evaluate("window.__bpx.model.state.batch.x.mean.length") == 784
    p.click("#btn-play")
    page.wait_idle()


def test_a_lesson_picked_in_the_menu_shows_the_speed_it_plays_at(page):
    """XOR plays at 5 steps a frame, SGD at 20, the chain rule at the page's 1: the speed menu
    said 5× after picking either of the others, while Play went at 1 or 20."""
    p = page.open("?preset=xor")
    assert p.locator("#speed").input_value() == "5"
    for lesson, speed in (("sgd", 20), ("chain", 1), ("xor", 5)):
        p.select_option("#lesson", lesson)
        page.wait_idle()
        assert p.evaluate("window.__bpx.model.page.speed") == speed
        assert p.locator("#speed").input_value() == str(speed), lesson


def test_a_speed_the_menu_lacks_is_shown_as_played(page):
    """`?speed=7` played at 7 steps a frame while the speed menu showed a blank: it had no 7×.
    The speed played is an option of its own, in order among the others."""
    p = page.open("?preset=xor&speed=7")
    assert p.evaluate("window.__bpx.model.page.speed") == 7
    assert p.locator("#speed").input_value() == "7"
    assert p.evaluate("[...document.querySelectorAll('#speed option')].map((o) => o.textContent)") == [
        "1×",
        "5×",
        "7×",
        "20×",
        "100×",
    ]
    p.select_option("#speed", "20")
    page.wait_idle()
    assert p.evaluate("window.__bpx.model.page.speed") == 20


@pytest.fixture(scope="module")
def frugal_server(tmp_path_factory):
    """A server that lets one request do ~49 XOR steps (the digit net's budget is ~2,700)."""
    from tests.support import Server

    server = Server(tmp_path_factory.mktemp("frugal") / "store.sqlite3", env={"BPX_MAX_WORK": "100000"})
    yield server.start()
    server.stop()


def test_a_link_past_what_one_request_may_do_opens_at_its_step(browser, frugal_server):
    """A copied link to step 3000 of the digit lesson (its own length) opened on a blank page:
    the page asked for all 3000 steps at once, more work than the server lets one request do
    (422, "at most 2691 steps from the start for this net"). Here the same with XOR and a
    server that allows ~49 steps a request: the page takes the steps in chunks it may."""
    from tests.browser.conftest import Watched

    context = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=True)
    try:
        page = Watched(context.new_page(), frugal_server.url)
        p = page.open("?preset=xor&step=120")
        run_id = p.evaluate("window.__bpx.runId")
        state = httpx.get(f"{frugal_server.url}/api/v1/runs/{run_id}/state?fields=step,loss").json()
        assert state["step"] == 120 and p.evaluate("window.__bpx.step") == 120
        assert p.locator("#step-input").input_value() == "120"
        assert p.evaluate("window.__bpx.model.state.loss") == state["loss"]
        assert p.evaluate("window.__bpx.model.history.step.length") == 120  # the curves end there
        p.locator("#step-input").fill("300")  # a jump typed in goes the same way
        p.locator("#step-input").press("Enter")
        page.wait_idle()
        assert p.evaluate("window.__bpx.step") == 300
        assert httpx.get(f"{frugal_server.url}/api/v1/runs/{run_id}").json()["step"] == 300
        assert not p.evaluate("window.__bpx.errors"), "a refused chunk reached the student"
        problems = [m for m in page.problems if "422" not in m]  # the refused chunks, in the console
        assert not problems, problems
        # one refused: its answer says the most (~49), which the page then asks for each time
        assert sum("422" in m for m in page.problems) == 1, page.problems
    finally:
        context.close()


def test_a_jump_past_the_replay_limit_shows_the_step_the_run_reached(page, server):
    """Typing 100005 on XOR took the server's run to step 100,000 in chunks, then the last
    chunk was refused (the replay limit): the page still showed step 0 and its numbers while
    the run was at 100,000, and every Step after that was refused too."""
    p = page.open("?preset=xor")
    p.locator("#step-input").fill("100005")
    p.locator("#step-input").press("Enter")
    p.wait_for_function("!document.querySelector('#toast').hidden", timeout=60_000)
    page.wait_idle(60_000)
    # the run goes to the limit, and says so (it went in chunks until one was refused, part-way)
    said = "Step 100005 is past the last step a run can reach (100000): showing step 100000"
    assert p.locator("#toast").inner_text() == said
    agree(server, page, p)  # counter, URL, numbers and curves: the server's step, 100,000
    assert p.evaluate("window.__bpx.step") == 100_000
    assert not page.problems  # no chunk refused on the way


def test_play_on_a_diverged_run_says_why_and_offers_a_reset(page, server):
    """A stream ends by itself when its run diverges (app/stream.py): the page paused without a
    word, and Play then moved the step one frame and stopped again, looking broken."""
    p = page.open("?preset=exploding&speed=100")
    p.click("#btn-play")
    p.wait_for_function("!document.querySelector('#toast').hidden", timeout=30_000)
    page.wait_idle()
    diverged_at = p.evaluate("window.__bpx.model.state.diverged_at")
    assert diverged_at is not None and not p.evaluate("window.__bpx.model.playing")
    said = p.locator("#toast").inner_text()
    assert f"The run diverged at step {diverged_at}: its numbers are NaN or ∞" in said
    step = agree(server, page, p)

    p.evaluate("document.querySelector('#toast').hidden = true")
    p.click("#btn-play")  # pressed again: nothing plays, the same words
    p.wait_for_function("!document.querySelector('#toast').hidden")
    page.wait_idle()
    assert p.locator("#toast").inner_text() == said
    assert agree(server, page, p) == step

    p.click("#toast-action")  # Reset
    page.wait_idle()
    assert agree(server, page, p) == 0
    assert not page.problems
