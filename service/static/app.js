// The web page: calls the same JSON API as every other client (/v1/extract, /v1/analyse).
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

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function badge(label) {
    return el("span", "badge sec-" + label, LABEL_ZH[label] || label);
  }

  function setStatus(message, isError) {
    statusLine.textContent = message;
    statusLine.classList.toggle("error", Boolean(isError));
  }

  async function callApi(url, options) {
    let response;
    try {
      response = await fetch(url, options);
    } catch (err) {
      throw new Error("无法连接服务器：" + err.message);
    }
    let body = null;
    try {
      body = await response.json();
    } catch (err) {
      body = null;
    }
    if (!response.ok) {
      const message = body && body.error ? body.error.message : "HTTP " + response.status;
      throw new Error("请求失败（" + response.status + "）：" + message);
    }
    return body;
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

  async function analyse() {
    const text = textarea.value;
    if (!text.trim()) {
      setStatus("请先粘贴报告全文或上传文件。", true);
      return;
    }
    button.disabled = true;
    setStatus("正在分析……");
    const started = performance.now();
    try {
      const data = await callApi("/v1/analyse", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text: text, max_sentences: Number(sentencesSelect.value) }),
      });
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
