// What is cut off on the page: every visible control whose text is wider than its box (an
// ellipsis, a clipped select or field), and every number that wraps onto two lines ("1.195e-" / "4").
// Returns a list of {what, text, need, room}.
() => {
  const found = [];
  const ctx = document.createElement("canvas").getContext("2d");
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden"
    && !el.closest(".sr-only, [hidden]");
  const textWidth = (el, text) => {
    const cs = getComputedStyle(el);
    ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    return ctx.measureText(text).width;
  };
  const name = (el) => (el.id ? `#${el.id}` : `${el.parentElement ? name(el.parentElement) : ""} > ${el.tagName.toLowerCase()}.${el.className}`);
  const selector = "button, select, input, summary, label, .chip, .pane-label, .stat, .legend .row, figcaption,"
    + " .inspector h2, .inspector h3, .timeline li, .menu button";
  for (const el of document.querySelectorAll(selector)) {
    if (!shown(el)) continue;
    const cs = getComputedStyle(el);
    const pad = parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight)
      + parseFloat(cs.borderLeftWidth) + parseFloat(cs.borderRightWidth);
    if (el.tagName === "SELECT") {
      // every choice, not only the one shown: picking another must not cut it either (unless the
      // box grows with its choice)
      const grows = cs.fieldSizing === "content";
      const texts = [...el.options].filter((o) => !grows || o.selected).map((o) => o.textContent);
      const text = texts.reduce((a, b) => (textWidth(el, b) > textWidth(el, a) ? b : a), "");
      const need = textWidth(el, text);
      const room = el.getBoundingClientRect().width - pad - 18; // the drop-down arrow
      if (need > room + 1) found.push({ what: name(el), text, need: Math.round(need), room: Math.round(room) });
    } else if (el.tagName === "INPUT") {
      if (!["text", "number", "search", "url", ""].includes(el.type) || !el.value) continue;
      const need = textWidth(el, el.value);
      const room = el.getBoundingClientRect().width - pad;
      if (need > room + 1) found.push({ what: name(el), text: el.value, need: Math.round(need), room: Math.round(room) });
    } else if (el.scrollWidth > el.clientWidth + 1 && cs.overflowX !== "auto" && cs.overflowX !== "scroll") {
      found.push({ what: name(el), text: el.textContent.trim().slice(0, 60), need: el.scrollWidth, room: el.clientWidth });
    }
  }
  // numbers broken across lines
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !shown(parent) || parent.closest("script, style, svg, math")) continue;
    for (const match of node.textContent.matchAll(/[−-]?\d[\d.,]*(?:e[−+-]?\d+)?/g)) {
      if (match[0].length < 2) continue;
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (tops.size > 1) found.push({ what: `wrapped number in ${name(parent)}`, text: match[0], need: tops.size, room: 1 });
    }
  }
  return found;
}
