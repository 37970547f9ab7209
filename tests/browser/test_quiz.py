"""Quiz mode in a real browser: every kind of question answered right and wrong, the score and
streak that follow, the answer revealed on the network, and the quiz's own URL."""

from __future__ import annotations

import json
import urllib.request

import pytest

pytestmark = pytest.mark.browser

KINDS = ("forward", "loss", "delta", "arrow", "update")


def question(page) -> dict:
    """The question on the card, as the page's logic sees it."""
    return page.evaluate(
        "() => { const q = window.__bpx.quiz.question; return q && {kind: q.kind, phase: q.phase, "
        "answers: q.answers, choices: q.choices.map((c) => c.value)}; }"
    )


def answer(watched, value: str) -> None:
    page = watched.page
    page.click(f"#coach [data-choice='{value}']")
    page.wait_for_selector("#coach .quiz-verdict")
    watched.wait_idle()


def next_question(watched) -> None:
    watched.page.click("#coach [data-act=next]")
    watched.wait_idle()
    watched.page.wait_for_function(
        "() => window.__bpx.quiz.question || document.querySelector('#coach .quiz-done')"
    )


def score(page) -> str:
    return page.locator("#quiz-score").inner_text()


def test_each_kind_right_and_wrong_with_score_and_streak(page):
    p = page.open("?preset=xor&lang=en")
    p.click("#btn-quiz")
    page.wait_idle()
    assert "quiz=0-5" in p.url
    assert p.evaluate("() => new URLSearchParams(location.search).get('phase')") == "ready"
    assert p.locator("#loss-value").inner_text() == "…"  # nothing of the step shown before the first answer
    right_done: set[str] = set()
    wrong_done: set[str] = set()
    right = asked = streak = 0
    while right_done != set(KINDS) or wrong_done != set(KINDS):
        q = question(p)
        assert q is not None, "the quiz ended before every kind was asked both ways"
        hidden_phase = p.evaluate("() => window.__bpx.model.page.phase")
        assert hidden_phase != q["phase"], "the phase asked about was already shown"
        give_right = q["kind"] not in right_done
        if give_right:
            value = q["answers"][0]
        else:
            value = next(c for c in q["choices"] if c not in q["answers"])
        answer(page, value)
        asked += 1
        right += give_right
        streak = streak + 1 if give_right else 0
        (right_done if give_right else wrong_done).add(q["kind"])
        verdict = p.locator("#coach .quiz-verdict").inner_text()
        assert verdict.startswith("✓" if give_right else "✗"), verdict
        assert p.locator("#coach .quiz-reason").inner_text().strip()
        assert score(p) == f"score {right}/{asked} · streak {streak}"
        # the answer is shown on the network: its phase revealed, its neuron or edge lit
        assert p.evaluate("() => window.__bpx.model.page.phase") == q["phase"]
        lit = p.evaluate("() => window.__bpx.network.opts.highlight")
        assert lit["nodes"] or lit["edges"]
        assert f"quiz=0-5.{right}.{asked}.{streak}" in p.url
        next_question(page)


def test_the_quiz_by_keyboard_keeps_the_focus_on_its_card(page):
    p = page.open("?preset=xor&lang=en")
    p.click("#btn-quiz")
    page.wait_idle()
    in_card = "document.querySelector('#coach').contains(document.activeElement)"
    for _ in range(6):  # past the update question, whose Next takes a step
        p.locator("#coach [data-choice]").first.focus()
        p.keyboard.press("Enter")  # an answer...
        p.wait_for_selector("#coach .quiz-verdict")
        page.wait_idle()
        assert p.evaluate("document.activeElement.dataset.act") == "next"
        p.keyboard.press("Enter")  # ...then Next: the next question's first answer has the focus
        page.wait_idle()
        p.wait_for_function("() => window.__bpx.quiz.question || document.querySelector('#coach .quiz-done')")
        assert p.evaluate(in_card), p.evaluate("document.activeElement.tagName")


def test_reasons_use_the_pages_words(page):
    p = page.open("?preset=xor&lang=en&quiz=0-1&phase=forward%3A1")
    q = question(p)
    assert q["kind"] == "loss"
    answer(page, q["answers"][0])
    reason = p.locator("#coach .quiz-reason").inner_text()
    assert "more than the other samples offered" in reason
    next_question(page)
    q = question(p)
    assert q["kind"] == "delta" and q["phase"] == "backward:1"
    answer(page, q["answers"][0])
    reason = p.locator("#coach .quiz-reason").inner_text()
    assert "because the output is" in reason and "its target" in reason and "σ′ > 0" in reason


def test_the_card_names_the_colours_of_the_palette_switched_to(page):
    """The arrow question offered "red ↓"; switching to the colour-blind palette drew the arrows
    orange at once, but the card kept saying "red ↓" until the next question."""
    p = page.open("?preset=xor&lang=en&quiz=0-1&phase=backward%3A1")
    assert question(p)["kind"] == "arrow"
    choices = "#coach .quiz-choices"
    assert "red ↓" in p.locator(choices).inner_text()
    for palette_word, other in (("orange ↓", "red"), ("red ↓", "orange")):
        p.click("#btn-palette")
        page.wait_idle()
        assert palette_word in p.locator(choices).inner_text()
        assert other not in p.locator(choices).inner_text()
        assert question(p)["kind"] == "arrow"  # the same question, in the palette's words
    answer(page, "up" if question(p)["answers"] == ["down"] else "down")  # the verdict names the answer
    assert "red ↓" in p.locator("#coach").inner_text()
    p.click("#btn-palette")
    page.wait_idle()
    assert "orange ↓" in p.locator("#coach").inner_text() and "red" not in p.locator("#coach").inner_text()


def test_the_update_answer_is_the_servers_loss_after_the_step(page, server):
    p = page.open("?preset=xor&lang=en&quiz=3-5&step=3&phase=backward%3A0")
    q = question(p)
    assert q["kind"] == "update"
    # the loss along the step, which is the answer, is not on screen while the question waits
    preview = "document.querySelector('#plot-preview').textContent.replace(/\\s/g, '')"  # wrapped lines
    p.wait_for_function(f"{preview}.includes('shownattheupdatephase')")
    run_id = p.evaluate("() => window.__bpx.runId")
    with urllib.request.urlopen(f"{server.url}/api/v1/runs/{run_id}/preview?points=2&until=1") as r:
        losses = json.load(r)["loss"]
    assert q["answers"] == ["yes" if losses[1] < losses[0] else "no"]
    answer(page, q["answers"][0])
    p.wait_for_function(f"{preview}.includes('afterthisstep')")  # revealed with the answer
    next_question(page)  # the step is taken; the next step starts hidden
    assert p.evaluate("() => [window.__bpx.step, window.__bpx.model.page.phase]") == [4, "ready"]


def test_a_shared_link_is_the_same_quiz(make_page):
    first = make_page()
    p = first.open("?preset=xor&lang=en")
    p.click("#btn-quiz")
    first.wait_idle()
    for _ in range(3):
        q = question(p)
        answer(first, q["answers"][0])
        next_question(first)
    url = p.url
    asked_here = question(p)
    card = p.locator("#coach").inner_text()
    second = make_page()
    p2 = second.open(url[url.index("?") :])
    assert question(p2) == asked_here
    assert p2.locator("#coach").inner_text() == card
    assert p2.url == url


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_quiz_in_chinese(page, lang):
    p = page.open(f"?preset=xor&lang={lang}&quiz=0-5")
    prompt = p.locator("#coach .quiz-prompt").inner_text()
    assert "样本" in prompt or "樣本" in prompt
    q = question(p)
    answer(page, q["answers"][0])
    assert p.locator("#coach .quiz-verdict").inner_text().startswith("✓")


def test_the_whole_quiz_ends_with_the_score(page):
    p = page.open("?preset=xor&lang=en&quiz=0-1")
    for _ in range(6):
        q = question(p)
        answer(page, q["answers"][0])
        next_question(page)
    assert p.locator("#coach .quiz-done").inner_text() == "Quiz done: 6 of 6 right."
    p.click("#coach [data-act=leave]")
    page.wait_idle()
    assert "quiz=" not in p.url and p.locator("#coach").is_hidden()


@pytest.mark.parametrize("size", [(1280, 720), (768, 1024), (390, 844)])
def test_screenshots(make_page, size):
    watched = make_page(*size)
    p = watched.open("?preset=xor&lang=en&quiz=0-5&phase=forward%3A0")
    q = question(p)
    watched.shot(f"quiz-question-{size[0]}")
    answer(watched, q["answers"][0])
    watched.shot(f"quiz-answer-{size[0]}")
    box = p.locator("#coach").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= size[0] + 1


ASK_EXACT = """async ({ runId, phase, sample }) => {
  const { ask } = await import('/static/js/quizlogic.js');
  const S = await import('/static/js/store.js');
  S.model.meta ??= await (await fetch('/api/v1/meta')).json(); // the phases are the server's
  const exact = await (await fetch(`/api/v1/runs/${runId}/state`)).json();
  const q = ask(exact, phase, { sample: sample === 'mean' ? null : Number(sample) });
  return { step: exact.step, prompt: q.prompt, choices: q.choices, answers: q.answers, reason: q.reason };
}"""
SHOWN = """() => { const q = window.__bpx.quiz.question;
  return { phase: q.phase, kind: q.kind, prompt: q.prompt, choices: q.choices, answers: q.answers, reason: q.reason }; }"""


def test_the_digit_nets_questions_are_asked_with_the_states_true_numbers(page):
    """A Step on the digit net brings one sample's rows (app/sampled.py); the quiz asks about
    other samples too, so it reads a State with every row: its questions, answers and reasons
    are those the float64 State of GET /state gives."""
    p = page.open("?preset=digits&step=2&lang=en")
    p.click("#btn-quiz")
    page.wait_idle()
    run_id = p.evaluate("window.__bpx.runId")
    kinds = set()
    for _ in range(8):
        shown = p.evaluate(SHOWN)
        if shown["kind"] != "update":  # (the update's question needs the loss after the step)
            sample = p.evaluate("window.__bpx.model.page.sample")
            exact = p.evaluate(ASK_EXACT, {"runId": run_id, "phase": shown["phase"], "sample": sample})
            assert exact["step"] == p.evaluate("window.__bpx.step")
            for key in ("prompt", "choices", "answers", "reason"):
                assert shown[key] == exact[key], (shown["phase"], key)
            kinds.add(shown["kind"])
        else:  # its reason names the batch loss before and after the step, the server's
            with urllib.request.urlopen(f"{page.base}/api/v1/runs/{run_id}/preview?points=2&until=1") as r:
                losses = json.load(r)["loss"]
            said = [float(shown["reason"]["vars"][k]) for k in ("before", "after")]
            assert said == pytest.approx(losses, rel=1e-5), (said, losses)
        answer(page, shown["answers"][0])
        next_question(page)
        kinds.add(shown["kind"])
    assert {"forward", "loss", "delta", "update"} <= kinds, kinds
