// Wagtail's admin builds two kinds of input in the browser that carry no name of their own: the
// text box of a tag field (tag-it) and each rich-text editor (Draftail). Name each after the label
// of the field it stands for, so a screen reader says which field it is in (axe: "label",
// "aria-input-field-name"); editors added later (a new StreamField block) are named too.
(function () {
  function byId(id) { return id ? document.getElementById(id) : null; }

  // The id of what names the field whose value lives in ``input``: its <label for>, the label
  // of its StreamField struct child, or the heading of its StreamField block.
  function nameId(input) {
    if (!input) return "";
    var label = input.id && document.querySelector('label[for="' + CSS.escape(input.id) + '"]');
    if (!label) {
      var child = input.closest("[data-contentpath]");
      label = child && child.querySelector(":scope > label.w-field__label");
    }
    if (label) {
      if (!label.id) label.id = (input.id || "field-" + Math.random().toString(36).slice(2)) + "-label";
      return label.id;
    }
    var block = input.closest("[aria-labelledby]");
    var heading = block && byId(block.getAttribute("aria-labelledby").split(" ")[0]);
    return heading ? heading.id : "";
  }

  function name(element, input) {
    if (element.hasAttribute("aria-label") || element.hasAttribute("aria-labelledby")) return;
    var id = nameId(input);
    if (id) element.setAttribute("aria-labelledby", id);
    var help = input && input.getAttribute("aria-describedby");
    if (help && !element.hasAttribute("aria-describedby")) element.setAttribute("aria-describedby", help);
  }

  function run() {
    document.querySelectorAll("[data-draftail-editor-wrapper]").forEach(function (wrapper) {
      var box = wrapper.querySelector('.public-DraftEditor-content[role="textbox"]');
      if (box) name(box, wrapper.parentNode.querySelector('input[type="hidden"]'));
    });
    document.querySelectorAll("ul.tagit").forEach(function (list) {
      var box = list.querySelector("input.ui-autocomplete-input, .tagit-new input");
      var original = list.previousElementSibling;
      if (box && original && original.tagName === "INPUT") name(box, original);
    });
  }

  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; run(); });
  }
  function start() {
    run();
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
