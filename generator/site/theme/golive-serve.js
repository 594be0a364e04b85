// `golive serve` only: while the sources have errors, every page shows them in a banner over
// the last good pages. The status is fetched afresh on each (live) reload; text only, never HTML.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var url = script.getAttribute("data-status");
  fetch(url, { cache: "no-store" })
    .then(function (response) { return response.json(); })
    .then(function (status) {
      var errors = (status && status.errors) || [];
      if (!errors.length) return;
      var banner = document.createElement("div");
      banner.className = "golive-serve-errors";
      banner.setAttribute("role", "alert");
      banner.style.cssText =
        "position:fixed;left:0;right:0;top:0;z-index:10000;max-height:60vh;overflow:auto;" +
        "background:#b71c1c;color:#fff;font:14px/1.4 monospace;padding:12px 16px;" +
        "box-shadow:0 2px 8px rgba(0,0,0,.4);white-space:pre-wrap;overflow-wrap:anywhere";
      var title = document.createElement("strong");
      title.textContent =
        "golive: the sources have errors; this page is the last good build. Fix and save to update.";
      banner.appendChild(title);
      errors.forEach(function (line) {
        var item = document.createElement("div");
        item.textContent = line;
        banner.appendChild(item);
      });
      document.body.appendChild(banner);
    })
    .catch(function () {});
})();
