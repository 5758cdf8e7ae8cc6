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
  let draggedId = null;  // the card being dragged (its data may outlive a board refresh)
  document.addEventListener("dragstart", function (event) {
    const card = event.target.closest && event.target.closest("[data-deal]");
    if (!card) return;
    event.dataTransfer.setData("text/plain", card.id);
    event.dataTransfer.effectAllowed = "move";
    card.classList.add("dragging");
    draggedId = card.id;
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
    const card = document.getElementById(draggedId || event.dataTransfer.getData("text/plain"));
    draggedId = null;
    if (!card || card.closest("[data-stage]") === column) return;
    const form = card.querySelector("form.move");
    form.querySelector("select[name=stage]").value = column.getAttribute("data-stage");
    // A lost stage first asks why (see below); the card stays put until the reason is given.
    if (!column.classList.contains("lost")) column.querySelector(".cards").prepend(card);
    form.requestSubmit();
  });

  // Deal board: moving a card to a lost stage (by drag or with its form) asks for the reason in
  // a modal dialog first. Capture phase, so htmx does not send the move before the answer.
  let pendingLost = null;
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("form.move")) return;
    const select = form.querySelector("select[name=stage]");
    const option = select && select.options[select.selectedIndex];
    const reason = form.querySelector("input[name=lost_reason]");
    const dialog = document.getElementById("lost-dialog");
    if (!option || option.getAttribute("data-kind") !== "lost" || !reason || reason.value || !dialog) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    pendingLost = form;
    dialog.querySelector("[data-lost-deal]").textContent = form.getAttribute("data-deal-name") || "";
    const choice = dialog.querySelector("select");
    if (choice) choice.value = "";
    dialog.showModal();
  }, true);
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.id !== "lost-form") return;
    const choice = form.querySelector("select");
    if (!choice || !choice.value || !pendingLost) { event.preventDefault(); return; }
    const move = pendingLost;
    pendingLost = null;
    move.querySelector("input[name=lost_reason]").value = choice.value;
    window.setTimeout(function () { move.requestSubmit(); }, 0);
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("[data-lost-cancel]")) return;
    document.getElementById("lost-dialog").close();
  });
  // Cancelled (button or Escape): put the card's stage back as it was.
  document.addEventListener("close", function (event) {
    if (!(event.target instanceof HTMLDialogElement) || event.target.id !== "lost-dialog") return;
    if (!pendingLost) return;
    const select = pendingLost.querySelector("select[name=stage]");
    select.value = pendingLost.getAttribute("data-current");
    pendingLost = null;
  }, true);
})();
