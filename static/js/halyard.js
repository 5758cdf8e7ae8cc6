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
    document.querySelectorAll("details[open]:not([data-keep-open])").forEach(function (d) {
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
    // Saving a list view saves what the list shows now, after any filtering done in place.
    const state = form.querySelector && form.querySelector("[data-list-state]");
    const list = document.getElementById("list-form");
    if (state && list) state.value = new URLSearchParams(new FormData(list)).toString();
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

  // Record lists: the filter builder, the column chooser and row selection for bulk actions.
  function operatorsByKind() {
    const data = document.getElementById("filter-operators");
    return data ? JSON.parse(data.textContent) : {};
  }
  function fitFilterRow(row) {
    const field = row.querySelector("[data-filter-field]");
    const op = row.querySelector("[data-filter-op]");
    const value = row.querySelector("[data-filter-value]");
    const between = row.querySelector("[data-between]");
    const chosen = field.selectedOptions[0];
    const kind = chosen ? chosen.getAttribute("data-kind") : null;
    const allowed = kind ? operatorsByKind()[kind] || [] : [];
    Array.from(op.options).forEach(function (option) {
      const ok = !kind || allowed.includes(option.value);
      option.hidden = !ok;
      option.disabled = !ok;
    });
    if (op.selectedOptions[0] && op.selectedOptions[0].disabled) {
      const first = Array.from(op.options).find(function (o) { return !o.disabled; });
      if (first) op.value = first.value;
    }
    if (field.value && document.getElementById("dl-" + field.value)) {
      value.setAttribute("list", "dl-" + field.value);
    } else {
      value.removeAttribute("list");
    }
    value.hidden = op.value === "empty";
    between.hidden = op.value !== "between";
  }
  function refreshList(form) {
    if (window.htmx) window.htmx.trigger(form, "change");
    else form.requestSubmit();
  }
  document.querySelectorAll("[data-filter-row]").forEach(fitFilterRow);
  // After the results change, the Filters button counts the filters in use.
  document.addEventListener("htmx:afterSwap", function () {
    const count = document.querySelector("[data-filter-count]");
    if (!count) return;
    const used = Array.from(document.querySelectorAll(".filter-rows [data-filter-row]")).filter(function (row) {
      const op = row.querySelector("[data-filter-op]").value;
      return row.querySelector("[data-filter-field]").value &&
        (op === "empty" || row.querySelector("[data-filter-value]").value.trim());
    }).length;
    count.textContent = new Intl.NumberFormat(document.documentElement.lang || "en").format(used);
    count.hidden = used === 0;
  });
  // Typing a filter value refreshes the list (rows added later included), once typing pauses.
  document.addEventListener("input", function (event) {
    const target = event.target;
    if (!(target instanceof HTMLInputElement)) return;
    if (!target.matches("[data-filter-value], [data-between]") || !target.form) return;
    if (window.htmx) window.htmx.trigger(target.form, "list-refresh");
  });
  let newRows = 0;
  document.addEventListener("change", function (event) {
    const row = event.target.closest && event.target.closest("[data-filter-row]");
    if (row) fitFilterRow(row);
    const all = event.target.closest && event.target.closest("[data-select-all]");
    if (all) {
      all.form.querySelectorAll("input[name=ids]").forEach(function (box) { box.checked = all.checked; });
    }
    if (event.target.name === "ids" || all) {
      const form = event.target.form;
      const counter = form.querySelector("[data-selected-count]");
      const n = form.querySelectorAll("input[name=ids]:checked").length;
      if (counter) counter.textContent = n ? n + " ✓" : "";
    }
  }, true);
  document.addEventListener("click", function (event) {
    const target = event.target.closest ? event.target : null;
    if (!target) return;
    const add = target.closest("[data-add-filter]");
    if (add) {
      const template = document.getElementById("filter-row-template");
      const row = template.content.firstElementChild.cloneNode(true);
      newRows += 1;
      row.querySelectorAll("[id]").forEach(function (el) { el.id = el.id.replace("new", "n" + newRows); });
      row.querySelectorAll("label[for]").forEach(function (el) {
        el.htmlFor = el.htmlFor.replace("new", "n" + newRows);
      });
      add.closest(".filter-panel").querySelector(".filter-rows").appendChild(row);
      fitFilterRow(row);
      row.querySelector("[data-filter-field]").focus();
      return;
    }
    const remove = target.closest("[data-remove-filter]");
    if (remove) {
      const form = remove.form;
      const rows = remove.closest(".filter-rows");
      remove.closest("[data-filter-row]").remove();
      if (!rows.querySelector("[data-filter-row]")) {
        document.querySelector("[data-add-filter]").click();
      }
      refreshList(form);
      return;
    }
    const move = target.closest("[data-move]");
    if (move) {
      const item = move.closest("li");
      const up = move.getAttribute("data-move") === "up";
      const sibling = up ? item.previousElementSibling : item.nextElementSibling;
      if (!sibling) return;
      if (up) item.parentNode.insertBefore(item, sibling);
      else item.parentNode.insertBefore(sibling, item);
      move.focus();
      refreshList(move.form);
    }
  });
})();
