// 关怀模式: larger text and higher contrast, remembered on this device.
(function () {
  var button = document.getElementById("care-toggle");
  if (!button) return;
  var root = document.documentElement;
  function render() {
    var on = root.classList.contains("care-mode");
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? "退出关怀模式" : "关怀模式";
  }
  button.hidden = false;
  render();
  button.addEventListener("click", function () {
    var on = root.classList.toggle("care-mode");
    try { localStorage.setItem("care-mode", on ? "on" : "off"); } catch (e) {}
    render();
  });
})();

// The main navigation is one row that scrolls sideways on a narrow screen: show the current
// entry, and mark the edges beyond which more entries hide (the CSS fades those edges).
(function () {
  var row = document.querySelector(".site-nav ul");
  if (!row) return;
  var current = row.querySelector('[aria-current="page"]');
  if (current) {
    var r = row.getBoundingClientRect(), c = current.getBoundingClientRect();
    row.scrollLeft += c.left - r.left - (r.width - c.width) / 2;
  }
  function edges() {
    var hidden = row.scrollWidth - row.clientWidth;
    row.classList.toggle("more-before", row.scrollLeft > 1);
    row.classList.toggle("more-after", row.scrollLeft < hidden - 1);
  }
  edges();
  row.addEventListener("scroll", edges, { passive: true });
  if (window.ResizeObserver) {  // the window's width, and 关怀模式's larger type
    var watch = new ResizeObserver(edges);
    watch.observe(row);
    if (row.lastElementChild) watch.observe(row.lastElementChild);
  }
})();

// Forms on pages kept in the shared page cache get their submission token here, one per page
// view (core.idempotency: a double submit then makes one record).
(function () {
  var fields = document.querySelectorAll("input[data-submission-token]");
  if (!fields.length || !window.crypto || !window.crypto.getRandomValues) return;
  for (var i = 0; i < fields.length; i++) {
    if (fields[i].value) continue;
    var bytes = new Uint8Array(18), token = "";
    window.crypto.getRandomValues(bytes);
    for (var j = 0; j < bytes.length; j++) token += ("0" + bytes[j].toString(16)).slice(-2);
    fields[i].value = token;
  }
})();

// A form that came back with problems (includes/error_summary.html): the summary takes the focus,
// so a screen reader reads it and the browser scrolls it into view; its links put the cursor in
// the field and show the field's label (or legend) with it, not just the bare input.
(function () {
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest('a[href^="#"]') : null;
    if (!link) return;
    var input = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!input) return;
    event.preventDefault();
    (input.closest(".field, fieldset") || input).scrollIntoView({ block: "start" });
    input.focus({ preventScroll: true });
  });
})();
