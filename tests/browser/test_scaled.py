"""The page through nginx (deploy/nginx.conf) over two replicas sharing one PostgreSQL.

Requests alternate between the replicas, so every click may land on the other one: the
page must not notice, the live stream included (it goes through the proxy unbuffered).
"""

from __future__ import annotations

import httpx
import pytest

from tests.browser.conftest import Watched, share_and_save
from tests.proxy import Nginx
from tests.support import start_replicas

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def behind_nginx(postgres, nginx_installed):
    url = postgres.new_database()
    replicas = start_replicas(url)
    nginx = Nginx([r.port for r in replicas]).start()
    yield nginx, replicas
    nginx.stop()
    for replica in replicas:
        replica.stop()


@pytest.fixture
def open_page(browser, behind_nginx):
    nginx, _ = behind_nginx
    contexts, watched = [], []

    def make() -> Watched:
        # as in conftest: Playwright evaluates its waits as strings, which the CSP forbids
        context = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=True)
        contexts.append(context)
        watched.append(Watched(context.new_page(), nginx.url))
        return watched[-1]

    yield make
    problems = [p for w in watched for p in w.problems]
    for context in contexts:
        context.close()
    assert not problems, problems


def test_a_student_journey_through_nginx_over_two_replicas(open_page, behind_nginx):
    nginx, replicas = behind_nginx
    page = open_page()
    p = page.open("?preset=xor")
    for expected in (1, 2, 3):
        p.locator("#btn-step").click()
        page.wait_idle()
        assert p.evaluate("window.__bpx.step") == expected

    # Play: the stream comes through the proxy frame by frame
    p.locator("#btn-play").click()
    p.wait_for_function("window.__bpx.step >= 30", timeout=20_000)
    p.locator("#btn-play").click()
    page.wait_idle()
    step = p.evaluate("window.__bpx.step")
    p.wait_for_timeout(400)
    assert p.evaluate("window.__bpx.step") == step >= 30
    page.shot("scaled-after-play")

    # Pausing closes the stream; a frame in flight may still have moved the run. The next
    # Step answers from the store's step, whichever replica takes it.
    p.locator("#btn-step").click()
    page.wait_idle()
    step = p.evaluate("window.__bpx.step")
    assert step >= 31

    # both replicas, asked directly, hold the same run at the same step, bit for bit
    run_id = p.evaluate("window.__bpx.runId")
    urls = (nginx.url, *(r.url for r in replicas))
    states = {httpx.get(f"{url}/api/v1/runs/{run_id}/state").content for url in urls}
    assert len(states) == 1 and f'{{"step":{step},'.encode() in next(iter(states))

    # share and save; another browser opens the link (wherever it lands)
    short = share_and_save(p, "through nginx")
    p.keyboard.press("Escape")
    other = open_page()
    q = other.open(short.split("/", 3)[3])
    assert q.evaluate("window.__bpx.step") == step

    answered = nginx.answered_by()
    assert all(count > 5 for count in answered.values()), answered  # round-robin: both replicas served
