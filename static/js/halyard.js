// Halyard's small behaviours; no inline script anywhere (the CSP forbids it).
(function () {
  "use strict";

  // "/" focuses the global search unless the user is typing somewhere.
  document.addEventListener("keydown", function (event) {
    const target = event.target;
    const typing = target instanceof HTMLElement &&
      (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
    const ctrlK = event.key === "k" && (event.ctrlKey || event.metaKey);
    if (!ctrlK && (typing || event.ctrlKey || event.metaKey || event.altKey)) return;
    if (event.key === "/" || ctrlK) {
      const box = document.querySelector("[data-shortcut='/']");
      if (box) { event.preventDefault(); box.focus(); box.select(); }
    }
    if (event.key === "Escape") {
      document.querySelectorAll("details[open]").forEach(function (d) { d.removeAttribute("open"); });
      document.querySelectorAll("[data-toggle][aria-expanded=true]").forEach(function (toggle) {
        document.getElementById(toggle.getAttribute("data-toggle")).classList.remove("open");
        toggle.setAttribute("aria-expanded", "false");
      });
    }
  });

  document.addEventListener("change", function (event) {
    const target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
      target.form.submit();
    }
  });

  // Close an open menu when clicking elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details[open]").forEach(function (d) {
      if (!d.contains(event.target)) d.removeAttribute("open");
    });
    const toggle = event.target.closest && event.target.closest("[data-toggle]");
    if (toggle) {
      const panel = document.getElementById(toggle.getAttribute("data-toggle"));
      const open = panel.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
  });

  // Ask before destructive actions: forms with data-confirm.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    const question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // Deal board: drag a card onto another column to move the deal there. The card's own move
  // form does the work (and is what keyboard users use), so there is one path to the server.
  document.addEventListener("dragstart", function (event) {
    const card = event.target.closest && event.target.closest("[data-deal]");
    if (!card) return;
    event.dataTransfer.setData("text/plain", card.id);
    event.dataTransfer.effectAllowed = "move";
    card.classList.add("dragging");
  });
  document.addEventListener("dragend", function (event) {
    const card = event.target.closest && event.target.closest("[data-deal]");
    if (card) card.classList.remove("dragging");
  });
  document.addEventListener("dragover", function (event) {
    const column = event.target.closest && event.target.closest("[data-stage]");
    if (!column) return;
    event.preventDefault();
    column.classList.add("drop-target");
  });
  document.addEventListener("dragleave", function (event) {
    const column = event.target.closest && event.target.closest("[data-stage]");
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("drop-target");
  });
  document.addEventListener("drop", function (event) {
    const column = event.target.closest && event.target.closest("[data-stage]");
    if (!column) return;
    event.preventDefault();
    column.classList.remove("drop-target");
    const card = document.getElementById(event.dataTransfer.getData("text/plain"));
    if (!card || card.closest("[data-stage]") === column) return;
    const form = card.querySelector("form.move");
    form.querySelector("select[name=stage]").value = column.getAttribute("data-stage");
    column.querySelector(".cards").prepend(card);
    form.requestSubmit();
  });
})();

// The top bar's search panel: Enter opens the best hit, arrows move between hits, Escape closes.
(function () {
  "use strict";

  function panel() { return document.getElementById("quick-results"); }
  function hits() { const p = panel(); return p && !p.hidden ? Array.from(p.querySelectorAll("a")) : []; }

  document.addEventListener("keydown", function (event) {
    const box = event.target.closest && event.target.closest("[data-quick-search]");
    const inPanel = event.target.closest && event.target.closest("#quick-results");
    if (!box && !inPanel) return;
    const links = hits();
    if (event.key === "Escape") {
      const p = panel();
      if (p) p.hidden = true;
      if (inPanel) document.querySelector("[data-quick-search]").focus();
      return;
    }
    if (box && event.key === "Enter" && links.length && box.value.trim()) {
      event.preventDefault();
      window.location.assign(links[0].href);
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!links.length) return;
      event.preventDefault();
      const index = links.indexOf(document.activeElement);
      const next = event.key === "ArrowDown" ? index + 1 : index - 1;
      if (next < 0) document.querySelector("[data-quick-search]").focus();
      else links[Math.min(next, links.length - 1)].focus();
    }
  });

  document.addEventListener("click", function (event) {
    const p = panel();
    if (p && !p.hidden && !event.target.closest(".global-search")) p.hidden = true;
  });
})();
