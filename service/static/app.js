// The web page: calls the same JSON API as every other client (/v1/extract, /v1/analyse,
// /v1/audit).
// Report text is only ever inserted with textContent, never as HTML.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("page-config").textContent);
  const LABEL_ZH = config.labels;

  const form = document.getElementById("report-form");
  const textarea = document.getElementById("report-text");
  const fileInput = document.getElementById("report-file");
  const sentencesSelect = document.getElementById("max-sentences");
  const button = document.getElementById("analyse-button");
  const clearButton = document.getElementById("clear-button");
  const statusLine = document.getElementById("status");
  const results = document.getElementById("results");
  const auditBox = document.getElementById("audit");
  const auditStatus = document.getElementById("audit-status");
  const auditBody = document.getElementById("audit-body");

  // The paragraphs of the last analysis, for turning audit offsets into paragraph ids.
  let shownParagraphs = [];
  // Bumped by every analysis so that a slow, older audit never overwrites a newer one.
  let runId = 0;

  const { el, callApi } = window.fzreport;

  function badge(label) {
    return el("span", "badge sec-" + label, LABEL_ZH[label] || label);
  }

  function setStatus(message, isError) {
    statusLine.textContent = message;
    statusLine.classList.toggle("error", Boolean(isError));
  }

  // Split a paragraph into plain and key-sentence runs using document offsets.
  function paragraphNode(para, keySentences, index) {
    const node = el("p", "para sec-" + para.label + (para.heading ? " heading" : ""));
    node.id = "para-" + index;
    node.dataset.label = para.label;
    node.title = (LABEL_ZH[para.label] || para.label) + "（置信度 " + para.confidence + "）";
    node.appendChild(badge(para.label));
    if (para.confidence < config.review) {
      node.classList.add("review");
      const tag = el("span", "review-tag", "请复核");
      tag.title = "置信度 " + para.confidence + "，低于 " + config.review;
      node.appendChild(tag);
    }
    let cursor = 0;
    const text = para.text;
    for (const s of keySentences) {
      const from = Math.max(0, s.start - para.start);
      const to = Math.min(text.length, s.end - para.start);
      if (to <= from || from < cursor) continue;
      if (from > cursor) node.appendChild(document.createTextNode(text.slice(cursor, from)));
      const mark = el("mark", "key", text.slice(from, to));
      mark.title = "关键句 第 " + s.rank + " 名";
      node.appendChild(mark);
      cursor = to;
    }
    if (cursor < text.length) node.appendChild(document.createTextNode(text.slice(cursor)));
    return node;
  }

  function renderReport(data) {
    const report = document.getElementById("report");
    report.replaceChildren();
    const sentences = data.sentences.slice().sort((a, b) => a.start - b.start);
    let i = 0;
    data.paragraphs.forEach((para, index) => {
      while (i < sentences.length && sentences[i].end <= para.start) i++;
      const inside = [];
      for (let j = i; j < sentences.length && sentences[j].start < para.end; j++) {
        inside.push(sentences[j]);
      }
      report.appendChild(paragraphNode(para, inside, index));
    });
  }

  // The table of contents: every heading, indented by level; a click scrolls to its paragraph.
  function renderOutline(data) {
    const list = document.getElementById("outline");
    list.replaceChildren();
    for (const entry of data.outline) {
      const index = data.paragraphs.findIndex((p) => p.start <= entry.start && entry.start < p.end);
      const item = el("li", "level-" + Math.min(entry.level, 4));
      const link = el("a", "sec-" + entry.label, entry.text);
      link.href = "#para-" + index;
      link.addEventListener("click", (event) => {
        event.preventDefault();
        const target = document.getElementById("para-" + index);
        if (target) target.scrollIntoView({ behavior: "smooth", block: "start" });
      });
      if (entry.label) item.appendChild(badge(entry.label));
      item.appendChild(link);
      list.appendChild(item);
    }
    if (!data.outline.length) list.appendChild(el("li", null, "（报告没有标题）"));
  }

  function renderSummary(data) {
    const list = document.getElementById("summary");
    list.replaceChildren();
    for (const s of data.sentences) {
      const item = el("li");
      if (s.label) item.appendChild(badge(s.label));
      item.appendChild(document.createTextNode(s.text));
      list.appendChild(item);
    }
    if (!data.sentences.length) list.appendChild(el("li", null, "（没有可选的关键句）"));
  }

  function renderStructured(data) {
    const box = document.getElementById("structured");
    box.replaceChildren();
    const labels = Object.keys(data.structured);
    for (const label of labels) {
      const group = el("div", "group sec-" + label);
      group.appendChild(el("h3", null, LABEL_ZH[label] || label));
      const list = el("ul");
      for (const s of data.structured[label]) {
        // A problem item: its statement, with the words that name the problem in bold.
        const item = el("li");
        const at = s.title ? s.text.indexOf(s.title) : -1;
        if (at < 0) {
          item.textContent = s.text;
        } else {
          item.appendChild(document.createTextNode(s.text.slice(0, at)));
          item.appendChild(el("b", "problem-title", s.title));
          item.appendChild(document.createTextNode(s.text.slice(at + s.title.length)));
        }
        list.appendChild(item);
      }
      group.appendChild(list);
      box.appendChild(group);
    }
    if (!labels.length) box.appendChild(el("p", null, "（无）"));
  }

  function renderFigures(data) {
    const list = document.getElementById("figures");
    list.replaceChildren();
    for (const f of data.figures) {
      const item = el("li");
      item.appendChild(el("b", null, f.value + f.unit));
      item.appendChild(document.createTextNode("　" + f.text));
      list.appendChild(item);
    }
    if (!data.figures.length) list.appendChild(el("li", null, "（未发现带单位的数据）"));
  }

  function renderKeywords(data) {
    const list = document.getElementById("keywords");
    list.replaceChildren();
    for (const k of data.keywords) {
      const item = el("li", null, k.word);
      item.title = "出现 " + k.count + " 次";
      list.appendChild(item);
    }
  }

  function renderCounts(data) {
    for (const node of document.querySelectorAll("[data-count-for]")) {
      const n = data.sections[node.dataset.countFor];
      node.textContent = n ? "（" + n + " 段）" : "";
    }
  }

  // -- the audit panel (/v1/audit) ------------------------------------------------------------

  // The five parts in the audit's order, with their names: from the page (model/labels.py).
  const AUDIT_PARTS = config.parts;
  const PART_STATUS_ZH = { present: "具备", weak: "薄弱", missing: "缺失" };
  const TIMELINESS_ZH = { on_time: "按时", late: "逾期", unknown: "不明" };

  function paragraphAt(offset) {
    return shownParagraphs.findIndex((p) => p.start <= offset && offset < p.end);
  }

  // Scroll to a paragraph of the coloured report and highlight it for a moment.
  function showParagraph(index) {
    const target = document.getElementById("para-" + index);
    if (!target) return;
    target.scrollIntoView({ behavior: "smooth", block: "center" });
    target.classList.remove("flash");
    void target.offsetWidth; // restart the animation when the same paragraph is clicked again
    target.classList.add("flash");
    window.setTimeout(() => target.classList.remove("flash"), 2000);
  }

  function paragraphLink(index, text) {
    const link = el("a", "para-link", text);
    link.href = "#para-" + index;
    link.dataset.para = index;
    const para = shownParagraphs[index];
    if (para) link.title = para.text.length > 60 ? para.text.slice(0, 60) + "……" : para.text;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      showParagraph(index);
    });
    return link;
  }

  function auditField(list, name, value, className) {
    list.appendChild(el("dt", null, name));
    const dd = el("dd", className);
    if (value instanceof Node) dd.appendChild(value);
    else dd.textContent = value === null || value === undefined || value === "" ? "（未识别）" : value;
    list.appendChild(dd);
    return dd;
  }

  function renderAuditMeta(data) {
    const meta = data.metadata || {};
    const time = data.timeliness || {};
    const list = el("dl", "audit-meta");
    auditField(list, "报告单位", meta.issuer).dataset.field = "issuer";
    auditField(list, "年度", meta.year === null || meta.year === undefined ? null : meta.year + " 年")
      .dataset.field = "year";
    auditField(list, "发布日期", meta.published || meta.report_date).dataset.field = "published";
    const status = time.status || "unknown";
    const when = el("span");
    when.appendChild(el("span", "timeliness timeliness-" + status, TIMELINESS_ZH[status] || status));
    if (time.note) when.appendChild(el("span", "audit-note", time.note));
    const dd = auditField(list, "时效", when);
    dd.dataset.field = "timeliness";
    dd.dataset.status = status;
    return list;
  }

  function renderAuditParts(data) {
    const list = el("ul", "audit-parts");
    for (const [part, name] of AUDIT_PARTS) {
      const entry = data.contents[part] || { status: "missing", paragraphs: [], note: "" };
      const status = entry.status;
      // A missing optional part (其他) is grey, a missing required one red.
      const shade = status === "missing" && part === "other" ? "optional" : status;
      const item = el("li", "audit-part part-" + status);
      item.dataset.part = part;
      item.dataset.status = status;
      const light = el("span", "light light-" + shade);
      light.setAttribute("aria-hidden", "true");
      item.appendChild(light);
      item.appendChild(el("span", "part-name", name));
      item.appendChild(el("span", "part-status", PART_STATUS_ZH[status] || status));
      if (entry.note) item.appendChild(el("span", "audit-note", entry.note));
      const paragraphs = entry.paragraphs || [];
      if (paragraphs.length) {
        const evidence = el("span", "evidence");
        evidence.appendChild(document.createTextNode("依据段落："));
        for (const index of paragraphs) evidence.appendChild(paragraphLink(index, "§" + (index + 1)));
        item.appendChild(evidence);
      }
      list.appendChild(item);
    }
    return list;
  }

  function renderAuditProblems(data) {
    const box = el("div", "audit-problems");
    box.appendChild(el("h3", null, "问题清单（" + data.problems.length + " 项）"));
    const list = el("ol", "problem-list");
    data.problems.forEach((problem, i) => {
      const item = el("li", "audit-problem");
      item.dataset.problem = i;
      const index = paragraphAt(problem.start);
      const title = index >= 0 ? paragraphLink(index, problem.title) : el("span", null, problem.title);
      title.classList.add("problem-link");
      title.title = problem.text;
      item.appendChild(title);
      const cause = el("span", "tag " + (problem.cause ? "tag-cause" : "tag-no-cause"),
        problem.cause ? "有原因" : "未说明原因");
      cause.dataset.cause = String(Boolean(problem.cause));
      item.appendChild(cause);
      if (problem.generic) item.appendChild(el("span", "tag tag-generic", "泛泛"));
      const plans = el("div", "problem-plans");
      if (problem.plans.length) {
        plans.appendChild(document.createTextNode("对应安排："));
        for (const p of problem.plans) {
          const plan = data.plans[p];
          if (!plan) continue;
          const at = paragraphAt(plan.start);
          const name = plan.title || plan.text.slice(0, 30);
          const node = at >= 0 ? paragraphLink(at, name) : el("span", null, name);
          node.classList.add("plan-title");
          node.dataset.plan = p;
          plans.appendChild(node);
        }
      } else {
        plans.classList.add("unanswered");
        plans.textContent = "无对应安排";
      }
      item.appendChild(plans);
      list.appendChild(item);
    });
    if (!data.problems.length) list.appendChild(el("li", "empty", "（未找到逐条列出的问题）"));
    box.appendChild(list);
    return box;
  }

  function renderAudit(data) {
    auditBody.replaceChildren();
    const genre = data.genre || {};
    if (!genre.is_report) {
      auditBox.dataset.report = "false";
      const verdict = el("p", "audit-verdict not-report", "不是法治政府建设年度报告");
      auditBody.appendChild(verdict);
      if (data.note) auditBody.appendChild(el("p", "audit-note", data.note));
      auditStatus.textContent = "";
      return;
    }
    auditBox.dataset.report = "true";
    if (data.metadata && data.metadata.title) {
      auditBody.appendChild(el("p", "audit-verdict", data.metadata.title));
    }
    auditBody.appendChild(renderAuditMeta(data));
    auditBody.appendChild(el("h3", null, "必备内容"));
    auditBody.appendChild(renderAuditParts(data));
    auditBody.appendChild(renderAuditProblems(data));
    auditStatus.textContent =
      "文体判断：法治政府建设年度报告（置信度 " + genre.confidence + "）" +
      (data.note ? "；" + data.note : "");
  }

  // The audit request starts with the analysis; it is shown once the paragraphs exist.
  async function showAudit(pending, run) {
    let data;
    try {
      data = await pending;
    } catch (err) {
      if (run !== runId) return;
      auditBody.replaceChildren();
      auditStatus.textContent = "审查失败：" + err.message;
      auditStatus.classList.add("error");
      auditBox.dataset.state = "error";
      return;
    }
    if (run !== runId) return;
    try {
      renderAudit(data);
      auditBox.dataset.state = "done";
    } catch (err) {
      auditBody.replaceChildren();
      auditStatus.textContent = "审查结果无法显示：" + err.message;
      auditStatus.classList.add("error");
      auditBox.dataset.state = "error";
    }
  }

  function resetAudit(message) {
    auditBody.replaceChildren();
    auditStatus.textContent = message;
    auditStatus.classList.remove("error");
    auditBox.dataset.state = "loading";
    delete auditBox.dataset.report;
  }

  // What the last upload said beside its text (page title, meta tags, file name), sent with
  // the audit while the text is the one read from that file.
  let uploaded = null;

  async function analyse() {
    const text = textarea.value;
    const audited = { text: text };
    if (uploaded && uploaded.text === text) {
      audited.page = uploaded.meta;
      audited.filename = uploaded.filename;
    }
    if (!text.trim()) {
      setStatus("请先粘贴报告全文或上传文件。", true);
      return;
    }
    button.disabled = true;
    setStatus("正在分析……");
    const started = performance.now();
    const run = ++runId;
    resetAudit("正在审查……");
    const pendingAudit = callApi("/v1/audit", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(audited),
    });
    pendingAudit.catch(() => {}); // reported by showAudit; never an unhandled rejection
    try {
      const data = await callApi("/v1/analyse", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text: text, max_sentences: Number(sentencesSelect.value) }),
      });
      shownParagraphs = data.paragraphs;
      renderOutline(data);
      renderSummary(data);
      renderStructured(data);
      renderFigures(data);
      renderKeywords(data);
      renderCounts(data);
      renderReport(data);
      results.hidden = false;
      const ms = Math.round(performance.now() - started);
      setStatus(
        "完成：" + data.paragraphs.length + " 段，" + data.sentences.length + " 个关键句（" + ms + " 毫秒）。"
      );
      document.body.dataset.state = "done";
      showAudit(pendingAudit, run);
    } catch (err) {
      setStatus(err.message, true);
      document.body.dataset.state = "error";
    } finally {
      button.disabled = false;
    }
  }

  async function upload() {
    const file = fileInput.files[0];
    if (!file) return;
    if (file.size > config.maxBytes) {
      setStatus("文件过大：上限 " + Math.round(config.maxBytes / 1e6) + " MB。", true);
      return;
    }
    setStatus("正在读取 " + file.name + " ……");
    const form = new FormData();
    form.append("file", file, file.name);
    try {
      const data = await callApi("/v1/extract", { method: "POST", body: form });
      textarea.value = data.text;
      uploaded = { text: data.text, meta: data.meta, filename: data.filename };
      setStatus("已读取 " + data.filename + "（" + data.chars + " 字，编码 " + data.encoding + "）。");
      await analyse();
    } catch (err) {
      setStatus(err.message, true);
    } finally {
      fileInput.value = "";
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    analyse();
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      analyse();
    }
  });
  fileInput.addEventListener("change", upload);
  clearButton.addEventListener("click", () => {
    textarea.value = "";
    results.hidden = true;
    runId++;
    resetAudit("");
    auditBox.dataset.state = "idle";
    setStatus("");
    for (const node of document.querySelectorAll("[data-count-for]")) node.textContent = "";
  });

  callApi("/v1/model", {})
    .then((info) => {
      document.getElementById("model-line").textContent =
        "模型 " + info.model.sha256.slice(0, 12) + "（" + info.model.version + "）";
    })
    .catch(() => {});
})();
