"""The share dialog lists this browser's saved runs, a page at a time."""

from __future__ import annotations


def test_saved_runs_come_a_page_at_a_time(make_page):
    page = make_page(390, 844)  # a phone: the longest list, the narrowest dialog
    p = page.open("?preset=xor")
    for k in range(51):  # through the page's own cookie jar, as its Save button would
        made = p.context.request.post(
            f"{page.base}/api/v1/saved", data={"name": f"run {k}", "query": "preset=xor"}
        )
        assert made.status == 201, (made.status, made.text())
    p.locator("#btn-more").click()  # a phone's header folds Share… behind ⋯
    p.locator("#btn-share").click()
    items = p.locator("#saved-list li:not(.saved-more)")
    p.wait_for_function("document.querySelectorAll('#saved-list li').length > 1")
    assert items.count() == 50 and items.first.locator("a").inner_text() == "run 50"
    more = p.locator("#saved-list .saved-more button")
    assert more.inner_text() == "Show more"
    more.scroll_into_view_if_needed()
    page.shot("saved-more-phone")
    more.click()
    p.wait_for_function("document.querySelectorAll('#saved-list li:not(.saved-more)').length === 51")
    assert items.last.locator("a").inner_text() == "run 0" and more.count() == 0
    items.first.locator("button").click()  # delete the newest: the list is fetched again
    p.wait_for_function("document.querySelector('#saved-list a')?.textContent === 'run 49'")


def test_a_saved_runs_date_is_written_in_the_pages_language(make_page):
    """A 繁體 page listed its saved run as "12/1/2026, 11:57:01 PM": the browser's locale (en-US),
    not the page's."""
    page = make_page(1280, 720, locale="en-US")
    p = page.open("?preset=xor&lang=zh-Hant")
    made = p.context.request.post(f"{page.base}/api/v1/saved", data={"name": "mine", "query": "preset=xor"})
    created = made.json()["created"]
    p.locator("#btn-share").click()
    p.wait_for_function("document.querySelector('#saved-list a')?.textContent === 'mine'")
    shown = p.locator("#saved-list li small").first.inner_text()
    assert shown == p.evaluate(f"new Date({created} * 1000).toLocaleString('zh-Hant')")
    assert "AM" not in shown and "PM" not in shown
