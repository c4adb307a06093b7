// Helpers shared by the single-report page (app.js) and the archive pages (archive.js).
"use strict";

window.fzreport = (function () {
  // An element with a class and text (never HTML: report text is inserted as text).
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // The JSON of an API answer; the API's own error message when it refuses.
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

  return { el: el, callApi: callApi };
})();
