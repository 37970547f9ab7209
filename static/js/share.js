// The share dialog: short links, saved runs, export/import of weights, the Python script.
import { api } from "./api.js";
import { t } from "./i18n.js";
import { closeDialog, openDialog, trapFocus } from "./dialog.js";
import { pageQuery } from "./address.js";
import { openImported } from "./pagerun.js";
import { model } from "./store.js";

function download(name, text, type) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

export function bindShare(hooks) {
  // hooks: {query() -> current page query, runId(), openQuery(query), imported(run)}
  const $ = (id) => document.getElementById(id);
  const fail = (error) => { $("share-error").textContent = error.message; };
  // The server lists only this browser's saved runs (its HttpOnly owner cookie), a page at a time.
  const savedItem = (item) => {
    const li = document.createElement("li");
    const open = document.createElement("a");
    open.href = `/?${item.query}`;
    open.textContent = item.name;
    const when = document.createElement("small");
    when.className = "muted";
    when.textContent = new Date(item.created * 1000).toLocaleString(model.page.lang); // the page's language, not the browser's
    const remove = document.createElement("button");
    remove.textContent = t("share.delete");
    remove.addEventListener("click", async () => { await api.unsave(item.id); refreshList(); });
    li.append(open, when, remove);
    return li;
  };
  const showPage = async (offset) => {
    const list = $("saved-list");
    const batch = await api.saved(offset); // one page of the saved runs, and where the next begins
    list.querySelector(".saved-more")?.remove();
    list.append(...batch.items.map(savedItem));
    if (batch.next_offset != null) {
      const li = Object.assign(document.createElement("li"), { className: "saved-more" });
      const more = Object.assign(document.createElement("button"), { textContent: t("saved.more") });
      more.addEventListener("click", () => showPage(batch.next_offset).catch(fail));
      li.append(more);
      list.append(li);
    }
  };
  const refreshList = async () => {
    const list = $("saved-list");
    list.replaceChildren();
    await showPage(0);
    if (!list.children.length) list.append(Object.assign(document.createElement("li"), { textContent: t("share.none"), className: "muted" }));
  };
  $("btn-share").addEventListener("click", async () => {
    $("share-error").textContent = "";
    $("share-url").value = "";
    openDialog($("share"), $("share-make"));
    refreshList().catch(fail);
  });
  $("share-close").addEventListener("click", () => closeDialog($("share")));
  trapFocus($("share"));
  $("share-make").addEventListener("click", async () => {
    try {
      const link = await api.link(hooks.query());
      $("share-url").value = `${location.origin}${link.url}`;
      $("share-url").select();
      navigator.clipboard?.writeText($("share-url").value).catch(() => {});
    } catch (error) { fail(error); }
  });
  $("save-go").addEventListener("click", async () => {
    try {
      await api.save($("save-name").value || t("share.untitled"), hooks.query());
      $("save-name").value = "";
      await refreshList();
    } catch (error) { fail(error); }
  });
  $("export-json").addEventListener("click", async () => {
    try { download("backprop-run.json", JSON.stringify(await api.exportRun(hooks.runId())), "application/json"); }
    catch (error) { fail(error); }
  });
  $("export-py").addEventListener("click", async () => {
    const response = await fetch(api.snippetUrl(hooks.runId()));
    download("backprop_run.py", await response.text(), "text/x-python");
  });
  $("import-json").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    event.target.value = "";
    if (!file) return;
    if (file.size > model.meta.limits.max_body_bytes) { fail(new Error(t("share.too_big"))); return; }
    try {
      const run = await api.importRun(JSON.parse(await file.text()));
      closeDialog($("share"));
      hooks.imported(run);
    } catch (error) { fail(error instanceof SyntaxError ? new Error(t("share.not_json")) : error); }
  });
}

/** The share dialog for the page's run: its link is the page's query; an imported run opens. */
export function mountShare() {
  bindShare({ query: pageQuery, runId: () => model.runId, imported: openImported });
}
