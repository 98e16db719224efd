// Warta live page: renders enriched articles and alerts from Server-Sent Events.
// Article text is untrusted: every string goes into the DOM through textContent / text nodes;
// markup is never built from data (no innerHTML, no insertAdjacentHTML, no document.write).
"use strict";

(function () {
  const MAX_ARTICLES = 300;
  const MAX_ALERTS = 100;
  const params = new URLSearchParams(window.location.search);
  const token = params.get("token") || "";
  const FILTER_KEYS = ["topic", "event", "entity", "language"];

  const feed = document.getElementById("feed");
  const alertsList = document.getElementById("alerts");
  const statusEl = document.getElementById("status");
  const countEl = document.getElementById("count");
  const storiesEl = document.getElementById("stories");
  const form = document.getElementById("filters");
  const seen = { topic: new Map(), event: new Map(), entity: new Map() };

  let source = null;
  let stories = new Map(); // story key -> {el, list, head, count, sources:Set}
  let articleCount = 0;

  // el("div", {class: "x", title: "y"}, child, "text", ...): children strings become text nodes.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined) continue;
      if (key === "href") {
        if (!/^https?:\/\//i.test(String(value))) continue; // no javascript:, data: or relative links from data
        node.setAttribute("rel", "noopener noreferrer nofollow");
        node.setAttribute("target", "_blank");
      }
      node.setAttribute(key, String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  function currentFilters() {
    const out = {};
    for (const key of FILTER_KEYS) {
      const value = (form.elements[key].value || "").trim();
      if (value) out[key] = value;
    }
    return out;
  }

  function setFilters(values) {
    for (const key of FILTER_KEYS) form.elements[key].value = values[key] || "";
  }

  function query(filters) {
    const q = new URLSearchParams(filters);
    if (token) q.set("token", token);
    return q.toString();
  }

  // Body text with entity and figure marks; marks are sorted and non-overlapping (server-checked).
  function renderBody(body, marks) {
    const div = el("div", { class: "body" });
    let pos = 0;
    for (const m of marks || []) {
      if (typeof m.start !== "number" || typeof m.end !== "number" || m.start < pos || m.end > body.length) continue;
      if (m.start > pos) div.appendChild(document.createTextNode(body.slice(pos, m.start)));
      const cls = (m.kind === "figure" ? "figure " : "entity ") + String(m.type || "").replace(/[^A-Za-z_]/g, "");
      div.appendChild(el("mark", { class: cls, title: m.label || "" }, body.slice(m.start, m.end)));
      pos = m.end;
    }
    if (pos < body.length) div.appendChild(document.createTextNode(body.slice(pos)));
    return div;
  }

  function remember(kind, key, label) {
    if (!key || seen[kind].has(key)) return;
    seen[kind].set(key, label);
    const list = document.getElementById("dl-" + kind);
    list.appendChild(el("option", { value: key, label: label || key }));
  }

  function renderArticle(a) {
    const title = a.title || (a.body || "").slice(0, 90) || a.id;
    const safeUrl = /^https?:\/\//i.test(String(a.url || "")) ? a.url : null;
    const heading = el("h3", {}, safeUrl ? el("a", { href: safeUrl }, title) : title);
    const when = a.published_at ? String(a.published_at) : "";
    const src = (a.source && (a.source.name || a.source.domain)) || "unknown source";
    const meta = el("div", { class: "meta" }, src, when ? " · " + when : "", " · id ", String(a.id));
    const chips = el("div", { class: "chips" });
    if (a.language) chips.appendChild(el("span", { class: "chip lang" }, String(a.language)));
    if (a.duplicate_of) {
      const sim = typeof a.similarity === "number" ? " (" + Math.round(a.similarity * 100) + "%)" : "";
      chips.appendChild(el("span", { class: "chip dup", title: "duplicate of " + a.duplicate_of }, "duplicate" + sim));
    }
    for (const t of a.topics || []) {
      chips.appendChild(el("span", { class: "chip topic", title: t.code }, t.label || t.code));
      remember("topic", String(t.code).replace("medtop:", ""), t.label);
    }
    for (const e of a.events || []) {
      chips.appendChild(el("span", { class: "chip event", title: "CAMEO " + e.code }, e.code + " " + (e.label || "")));
      remember("event", e.code, e.label);
    }
    for (const e of a.entities || []) remember("entity", e.name, e.type);
    const body = renderBody(a.body || "", a.marks);
    const more = el("button", { type: "button", class: "more" }, "more");
    more.addEventListener("click", () => {
      body.classList.toggle("open");
      more.textContent = body.classList.contains("open") ? "less" : "more";
    });
    const node = el("article", { class: "article", "data-id": a.id, "data-story": a.story_id || "" },
      heading, meta, chips, body, more);
    return node;
  }

  function addArticle(a) {
    document.getElementById("empty")?.remove();
    const key = a.story_id || "article:" + a.id;
    let story = stories.get(key);
    if (!story) {
      const head = el("div", { class: "story-head" });
      const list = el("div", { class: "story-articles" });
      story = { el: el("section", { class: "story", "data-story": key }, head, list), head, list, count: 0, sources: new Set() };
      stories.set(key, story);
    }
    const existing = story.list.querySelector("article[data-id=\"" + CSS.escape(a.id) + "\"]");
    if (existing) existing.remove(); else { story.count += 1; articleCount += 1; }
    story.sources.add((a.source && (a.source.name || a.source.domain)) || "?");
    const node = renderArticle(a);
    story.list.prepend(node);
    window.requestAnimationFrame(() => {
      const body = node.querySelector(".body");
      if (body && body.scrollHeight <= body.clientHeight + 2) node.querySelector(".more").hidden = true;
    });
    story.head.textContent = (a.story_id ? "Story " + a.story_id.slice(0, 12) : "Single article") +
      " · " + story.count + (story.count === 1 ? " article" : " articles") + " · " + story.sources.size +
      (story.sources.size === 1 ? " source" : " sources");
    feed.prepend(story.el); // the story with the latest article goes on top
    while (articleCount > MAX_ARTICLES && feed.lastElementChild) {
      const last = feed.lastElementChild;
      const lastKey = last.getAttribute("data-story");
      articleCount -= stories.get(lastKey)?.count || 0;
      stories.delete(lastKey);
      last.remove();
    }
    countEl.textContent = String(articleCount);
    storiesEl.textContent = String(stories.size);
  }

  function addAlert(al) {
    const li = el("li", { class: al.severity, "data-id": al.id },
      el("div", { class: "rule" }, al.severity.toUpperCase() + " · " + al.rule),
      el("div", { class: "msg" }, al.message || ""),
      el("div", { class: "when" }, [
        al.fired_at ? String(al.fired_at) : "",
        al.story_id ? "story " + String(al.story_id).slice(0, 12) : "",
        al.article_ids && al.article_ids.length ? al.article_ids.length + " article(s)" : "",
      ].filter(Boolean).join(" · ")));
    alertsList.querySelector("li[data-id=\"" + CSS.escape(al.id) + "\"]")?.remove();
    alertsList.prepend(li);
    while (alertsList.children.length > MAX_ALERTS) alertsList.lastElementChild.remove();
  }

  function reset() {
    feed.replaceChildren(el("p", { id: "empty", class: "empty" }, "Waiting for articles…"));
    stories = new Map();
    articleCount = 0;
    countEl.textContent = "0";
    storiesEl.textContent = "0";
  }

  function connect() {
    if (source) source.close();
    reset();
    const filters = currentFilters();
    const q = new URLSearchParams(filters);
    if (token) q.set("token", token);
    window.history.replaceState(null, "", "?" + q.toString());
    source = new EventSource("events?" + query(filters));
    source.addEventListener("hello", () => { statusEl.textContent = "live"; statusEl.className = "on"; });
    source.addEventListener("article", (ev) => { try { addArticle(JSON.parse(ev.data)); } catch (e) { console.error(e); } });
    source.addEventListener("alert", (ev) => { try { addAlert(JSON.parse(ev.data)); } catch (e) { console.error(e); } });
    source.onerror = () => { statusEl.textContent = "reconnecting…"; statusEl.className = "off"; };
  }

  form.addEventListener("submit", (ev) => { ev.preventDefault(); connect(); });
  document.getElementById("clear").addEventListener("click", () => { setFilters({}); connect(); });
  const initial = {};
  for (const key of FILTER_KEYS) if (params.get(key)) initial[key] = params.get(key);
  setFilters(initial);
  connect();
})();
