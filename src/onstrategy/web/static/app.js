// onstrategy: draws the page's Vega-Lite charts (specs are data in the page) and lets
// HTMX show error messages. No network access beyond this server.
(function () {
  "use strict";

  function drawCharts(root) {
    const island = root.querySelector ? root.querySelector("script#charts-data") : null;
    const source = island || document.getElementById("charts-data");
    if (!source) return;
    const specs = JSON.parse(source.textContent);
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      const spec = specs[el.dataset.chart];
      if (!spec || el.dataset.drawn === "1") return;
      el.dataset.drawn = "1";
      const fit = spec.width ? {width: "container", autosize: {type: "fit-x", contains: "padding"}} : {};
      const sized = Object.assign({}, spec, fit, {config: {
        font: "Inter, system-ui, sans-serif", axis: {labelColor: "#4a5868", titleColor: "#4a5868",
          gridColor: "#edf0f3", domainColor: "#cfd6de"},
        title: {anchor: "start", fontSize: 13, fontWeight: 600, color: "#1d2733"},
        view: {stroke: null}, legend: {labelColor: "#4a5868", titleColor: "#4a5868"}}});
      vegaEmbed(el, sized, {actions: false, renderer: "svg"}).catch(function (err) {
        el.textContent = "Chart unavailable: " + err;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSettle", function (evt) { drawCharts(evt.detail.elt); });

  // Let error responses (4xx/5xx) swap in: the server retargets them to #flash.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    const status = evt.detail.xhr.status;
    if (status >= 400) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });

  // Period presets fill the date fields, then the form submits itself (hx-trigger=change).
  document.addEventListener("change", function (evt) {
    const select = evt.target.closest("select[name=preset]");
    if (!select || !select.value) return;
    const [from, to] = select.value.split("|");
    const form = select.form;
    form.querySelector("input[name=from]").value = from;
    form.querySelector("input[name=to]").value = to;
  }, true);
})();
