// The policy picker (hotline/policy_picker.py): a combobox whose list of live policies updates
// while one types. The chosen policy's id goes to the hidden input the form reads; without this
// script the text box is sent as typed and the server resolves it.
(function () {
  "use strict";
  var DELAY = 250; // ms after the last keystroke before asking the server

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }

  function label(policy) {
    return policy.doc_number ? policy.title + "（" + policy.doc_number + "）" : policy.title;
  }

  function init(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "1";
    var box = root.querySelector('[role="combobox"]');
    var hidden = root.querySelector("[data-policy-picker-value]");
    var list = root.querySelector('[role="listbox"]');
    var status = root.querySelector("[data-policy-picker-status]");
    var msg = root.dataset;
    var timer = null, request = null, results = [], active = -1;
    // The last choice: its id, and the text that goes with it.
    var chosenId = hidden.value, chosen = hidden.value ? box.value : null;

    function say(text) { status.textContent = text || ""; }

    function open() {
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
    }

    function close() {
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
      active = -1;
      mark();
    }

    function mark() {
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.setAttribute("aria-selected", i === active ? "true" : "false");
      });
    }

    function highlight(i) {
      active = i;
      mark();
      var li = list.children[i];
      if (li) {
        box.setAttribute("aria-activedescendant", li.id);
        li.scrollIntoView({ block: "nearest" });
      }
    }

    function render() {
      list.textContent = "";
      results.forEach(function (policy, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.className = "policy-picker__option";
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var title = document.createElement("span");
        title.className = "policy-picker__title";
        title.textContent = policy.title;
        var meta = document.createElement("span");
        meta.className = "policy-picker__meta";
        meta.textContent = [policy.doc_number, policy.published_on].filter(Boolean).join(" · ");
        li.appendChild(title);
        li.appendChild(meta);
        // Keep the focus in the box when the list is clicked.
        li.addEventListener("mousedown", function (event) { event.preventDefault(); });
        li.addEventListener("click", function () { choose(i); });
        list.appendChild(li);
      });
      active = -1;
      if (!results.length) {
        close();
        return;
      }
      open();
      // On a small screen the list may open below the fold: bring it into view.
      var bottom = list.getBoundingClientRect().bottom;
      if (bottom > window.innerHeight) list.scrollIntoView({ block: "nearest" });
    }

    function choose(i) {
      var policy = results[i];
      if (!policy) return;
      hidden.value = chosenId = policy.id;
      box.value = chosen = label(policy);
      close();
      say(fill(msg.msgChosen, { label: chosen }));
    }

    function search() {
      var query = box.value.trim();
      if (request) request.abort();
      request = null;
      if (!query) {
        results = [];
        render();
        say("");
        return;
      }
      request = new AbortController();
      say(msg.msgSearching);
      fetch(msg.lookupUrl + "?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
        credentials: "same-origin",
        signal: request.signal,
      }).then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      }).then(function (answer) {
        if (box.value.trim() !== query) return; // typed on meanwhile
        if (!answer.ok) {
          results = [];
          render();
          say(answer.body.error || msg.msgFailed);
          return;
        }
        results = answer.body;
        render();
        say(results.length ? fill(msg.msgFound, { n: results.length }) : msg.msgNone);
      }).catch(function (error) {
        if (error.name !== "AbortError") say(msg.msgFailed);
      });
    }

    box.addEventListener("input", function () {
      // Only the text of the choice goes with its id; edited text is the server's to resolve.
      hidden.value = box.value === chosen ? chosenId : "";
      clearTimeout(timer);
      timer = setTimeout(search, DELAY);
    });

    box.addEventListener("keydown", function (event) {
      var n = results.length;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!n) return;
        event.preventDefault();
        if (list.hidden) open();
        var down = event.key === "ArrowDown";
        highlight(active < 0 ? (down ? 0 : n - 1) : (active + (down ? 1 : n - 1)) % n);
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) {
          event.preventDefault(); // choose, do not submit the form
          choose(active);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        } else if (box.value) {
          event.preventDefault();
          box.value = hidden.value = chosenId = "";
          chosen = null;
          say("");
        }
      }
    });

    box.addEventListener("blur", close);
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-policy-picker]"), init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
