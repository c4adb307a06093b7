// The archive pages: the reports table (/v1/archive/reports), search results
// (/v1/archive/search) and the report page's jump to a paragraph (#p-N).
"use strict";

(function () {
  const configNode = document.getElementById("page-config");
  const config = configNode ? JSON.parse(configNode.textContent) : {};

  const { el, callApi } = window.fzreport;

  function getJson(url) {
    return callApi(url, { headers: { Accept: "application/json" } });
  }

  function reportUrl(id, paragraph) {
    return "/archive/reports/" + id + (paragraph === undefined ? "" : "#p-" + paragraph);
  }

  function baseName(path) {
    return String(path || "").split(/[\\/]/).pop();
  }

  // -- the reports table ---------------------------------------------------------------------

  const PER_PAGE = 50;

  function initTable() {
    const table = document.getElementById("reports");
    const body = table.querySelector("tbody");
    const form = document.getElementById("filters");
    const status = document.getElementById("table-status");
    const pageInfo = document.getElementById("page-info");
    const prev = document.getElementById("prev-page");
    const next = document.getElementById("next-page");
    const state = { sort: "id", page: 1, total: 0 };
    let run = 0;
    let typing = null;

    function query() {
      const params = new URLSearchParams();
      for (const [name, value] of new FormData(form)) {
        if (String(value).trim()) params.set(name, String(value).trim());
      }
      params.set("sort", state.sort);
      params.set("page", String(state.page));
      params.set("per_page", String(PER_PAGE));
      return params;
    }

    function lights(contents) {
      const cell = el("td", "lights");
      for (const part of config.required) {
        const value = (contents || {})[part] || "missing";
        const light = el("span", "light light-" + value);
        light.dataset.part = part;
        light.dataset.status = value;
        light.title = config.parts[part] + "：" + (config.status[value] || value);
        cell.appendChild(light);
      }
      return cell;
    }

    function row(report) {
      const tr = el("tr");
      tr.dataset.id = report.id;
      if (report.status !== "ok") tr.classList.add("failed");
      const source = el("td", "source");
      const link = el("a", null, baseName(report.source));
      link.href = reportUrl(report.id);
      link.title = report.source;
      source.appendChild(link);
      if (report.status !== "ok") source.appendChild(el("span", "tag tag-generic", "处理失败"));
      tr.appendChild(source);
      tr.appendChild(el("td", null, report.issuer || "—"));
      tr.appendChild(el("td", null, report.level ? config.levels[report.level] || report.level : "—"));
      tr.appendChild(el("td", "num", report.year || "—"));
      tr.appendChild(el("td", null, report.published || "—"));
      const when = report.timeliness;
      tr.appendChild(el("td", when ? "timeliness-" + when : null,
        when ? config.timeliness[when] || when : "—"));
      if (report.status === "ok") tr.appendChild(lights(report.contents));
      else tr.appendChild(el("td", "lights", "—"));
      tr.appendChild(el("td", "num", String(report.problems)));
      tr.appendChild(el("td", "num", String(report.figures)));
      return tr;
    }

    function markSort() {
      const column = state.sort.replace(/^-/, "");
      for (const th of table.querySelectorAll("th[data-sort]")) {
        const active = th.dataset.sort === column;
        th.setAttribute("aria-sort", active ? (state.sort.startsWith("-") ? "descending" : "ascending") : "none");
      }
    }

    async function load() {
      const mine = ++run;
      table.dataset.state = "loading";
      status.classList.remove("error");
      status.textContent = "加载中……";
      markSort();
      let data;
      try {
        data = await getJson("/v1/archive/reports?" + query().toString());
      } catch (err) {
        if (mine !== run) return;
        body.replaceChildren();
        status.textContent = "加载失败。" + err.message;
        status.classList.add("error");
        table.dataset.state = "error";
        return;
      }
      if (mine !== run) return;
      state.total = data.total;
      body.replaceChildren(...data.reports.map(row));
      if (!data.reports.length) {
        const empty = el("tr", "empty");
        const cell = el("td", null, "暂无数据");
        cell.colSpan = 9;
        empty.appendChild(cell);
        body.appendChild(empty);
      }
      const pages = Math.max(1, Math.ceil(data.total / PER_PAGE));
      pageInfo.textContent = "第 " + state.page + " / " + pages + " 页";
      prev.disabled = state.page <= 1;
      next.disabled = state.page >= pages;
      status.textContent = "共 " + data.total + " 份报告";
      table.dataset.state = "done";
    }

    for (const th of table.querySelectorAll("th[data-sort]")) {
      th.querySelector("button").addEventListener("click", () => {
        const column = th.dataset.sort;
        state.sort = state.sort === column ? "-" + column : column;
        state.page = 1;
        load();
      });
    }
    form.addEventListener("change", () => {
      state.page = 1;
      load();
    });
    form.addEventListener("input", (event) => {
      if (event.target.tagName !== "INPUT") return;
      window.clearTimeout(typing);
      typing = window.setTimeout(() => {
        state.page = 1;
        load();
      }, 300);
    });
    form.addEventListener("submit", (event) => event.preventDefault());
    form.addEventListener("reset", () => window.setTimeout(() => {
      state.page = 1;
      load();
    }, 0));
    prev.addEventListener("click", () => {
      state.page = Math.max(1, state.page - 1);
      load();
    });
    next.addEventListener("click", () => {
      state.page += 1;
      load();
    });
    load();
  }

  // -- search results ------------------------------------------------------------------------

  // Links to the neighbouring pages of the same search: the address says the page, so the
  // browser's back button and a shared link land on it.
  function showPager(page, pages) {
    const pager = document.getElementById("hits-pager");
    if (pages <= 1 && page <= 1) return;
    const to = (n) => {
      const next = new URLSearchParams(window.location.search);
      next.set("page", String(n));
      return window.location.pathname + "?" + next.toString();
    };
    for (const [id, n, ok] of [["hits-prev", page - 1, page > 1], ["hits-next", page + 1, page < pages]]) {
      const link = document.getElementById(id);
      if (ok) link.href = to(n);
      else link.removeAttribute("href");
      link.setAttribute("aria-disabled", String(!ok));
    }
    document.getElementById("hits-page-info").textContent = "第 " + page + " / " + pages + " 页";
    pager.hidden = false;
  }

  function initSearch() {
    const params = new URLSearchParams(window.location.search);
    const list = document.getElementById("hits");
    const status = document.getElementById("search-status");
    for (const [name, id] of [["label", "s-label"], ["issuer", "s-issuer"], ["year", "s-year"], ["level", "s-level"]]) {
      const value = params.get(name);
      if (value) document.getElementById(id).value = value;
    }
    const q = (params.get("q") || "").trim();
    if (!q) return;
    const limit = config.limit || 50;
    const page = Math.max(1, parseInt(params.get("page") || "1", 10) || 1);
    const api = new URLSearchParams({ q: q, limit: String(limit), page: String(page) });
    for (const name of ["label", "issuer", "year", "level"]) {
      const value = (params.get(name) || "").trim();
      if (value) api.set(name, value);
    }
    status.textContent = "检索中……";
    getJson("/v1/archive/search?" + api.toString()).then((data) => {
      list.replaceChildren();
      for (const hit of data.hits) {
        const item = el("li", "hit sec-" + (hit.label || "other"));
        item.dataset.report = hit.report_id;
        item.dataset.paragraph = hit.paragraph;
        const head = el("div", "hit-head");
        head.appendChild(el("span", "badge", config.labels[hit.label] || hit.label || "—"));
        // Who wrote it and when says more than a file name, which stays as the tooltip.
        const who = (hit.issuer || baseName(hit.source)) + (hit.year ? " · " + hit.year + " 年度" : "");
        const link = el("a", "hit-link", who + " · §" + (hit.paragraph + 1));
        link.title = hit.source;
        link.href = reportUrl(hit.report_id, hit.paragraph);
        head.appendChild(link);
        item.appendChild(head);
        const text = el("p", "snippet");
        text.innerHTML = hit.snippet; // escaped by the server, <mark> around the hits
        item.appendChild(text);
        list.appendChild(item);
      }
      list.start = (page - 1) * limit + 1; // the numbers go on from page to page
      // More matches than the server ranks: the best of the latest ones are shown.
      const pool = data.ranked < data.total ? "，按相关度排列其中最新的 " + data.ranked + " 段" : "";
      const pages = Math.max(1, Math.ceil(data.ranked / limit));
      const shown = data.hits.length
        ? "，显示第 " + list.start + "–" + (list.start + data.hits.length - 1) + " 段"
        : "，本页没有结果";
      // Past the count cap the server stops counting: "more than N".
      const count = data.total_exact === false ? "超过 " + data.total + " 段" : "共 " + data.total + " 段";
      status.textContent = data.total
        ? count + pool + (pages > 1 || page > 1 ? shown : "")
        : "暂无数据：没有找到包含“" + q + "”的段落";
      showPager(page, pages);
      list.dataset.state = "done";
    }).catch((err) => {
      status.textContent = "检索失败。" + err.message;
      status.classList.add("error");
      list.dataset.state = "error";
    });
  }

  // -- the report page -----------------------------------------------------------------------

  function showParagraph(hash, smooth) {
    const match = /^#p-(\d+)$/.exec(hash || "");
    if (!match) return;
    const target = document.getElementById("p-" + match[1]);
    if (!target) return;
    target.scrollIntoView({ behavior: smooth ? "smooth" : "auto", block: "center" });
    for (const node of document.querySelectorAll(".para.hit")) node.classList.remove("hit");
    target.classList.add("hit");
    target.classList.remove("flash");
    void target.offsetWidth; // restart the animation
    target.classList.add("flash");
  }

  function initReport() {
    showParagraph(window.location.hash, false);
    window.addEventListener("hashchange", () => showParagraph(window.location.hash, true));
    document.body.dataset.ready = "true";
  }

  const page = document.body.dataset.page;
  if (page === "table") initTable();
  else if (page === "search") initSearch();
  else if (page === "report") initReport();
})();
