// The 报送情况 page: filtering the ledger, and a reviewer's corrections (POST /v1/corrections).
"use strict";

(function () {
  const filters = document.getElementById("ledger-filters");
  if (filters) {
    const apply = function () {
      const want = Object.fromEntries(new FormData(filters));
      document.querySelectorAll("#ledger tbody tr").forEach(function (row) {
        const shown =
          (!want.state || row.dataset.state === want.state) &&
          (!want.level || row.dataset.level === want.level) &&
          (!want.kind || row.dataset.kind === want.kind) &&
          (!want.name || row.dataset.name.includes(want.name.trim()));
        row.hidden = !shown;
      });
    };
    filters.addEventListener("input", apply);
    filters.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  }

  const tokenInput = document.getElementById("review-token");
  const status = document.getElementById("review-status");
  if (!tokenInput) return;
  tokenInput.value = sessionStorage.getItem("fzreport.reviewToken") || "";
  tokenInput.addEventListener("change", function () {
    sessionStorage.setItem("fzreport.reviewToken", tokenInput.value);
  });

  // The value as the field takes it: a year is a number, a cause true/false, plans a list.
  function parseValue(field, raw) {
    const text = raw.trim();
    if (field === "year") return Number(text);
    if (/\.cause$/.test(field)) return text === "true" || text === "是";
    if (/\.plans$/.test(field)) {
      return text ? text.split(/[,，、\s]+/).filter(Boolean).map(Number) : [];
    }
    if ((field === "report_date" || field === "published") && !text) return null;
    return text;
  }

  document.querySelectorAll("form.correction").forEach(function (form) {
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const data = new FormData(form);
      const field = data.get("field");
      const body = {
        source: form.dataset.source,
        field: field,
        value: parseValue(field, String(data.get("value") || "")),
        note: String(data.get("note") || ""),
      };
      status.textContent = "正在保存……";
      try {
        await window.fzreport.callApi("/v1/corrections", {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            Authorization: "Bearer " + tokenInput.value,
          },
          body: JSON.stringify(body),
        });
        status.textContent = "已更正：" + body.source + " 的 " + field + "。页面即将刷新。";
        window.location.reload();
      } catch (err) {
        status.textContent = err.message;
      }
    });
  });
})();
