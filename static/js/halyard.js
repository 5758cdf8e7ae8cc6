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
  // Repeated rows (e-mails, phones, domains): "Add another" copies the formset's empty row.
  document.addEventListener("click", function (event) {
    const add = event.target.closest && event.target.closest("[data-formset-add]");
    if (!add) return;
    const set = add.closest("[data-formset]");
    const prefix = set.getAttribute("data-formset");
    const total = set.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    const template = set.querySelector("template[data-formset-template]");
    const rows = set.querySelector("[data-formset-rows]");
    const index = parseInt(total.value, 10);
    rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
    total.value = String(index + 1);
    const first = rows.lastElementChild.querySelector("input:not([type=hidden]), select");
    if (first) first.focus();
  });

  // One primary per set of rows: ticking one unticks the others.
  document.addEventListener("change", function (event) {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || !/-is_primary$/.test(box.name) || !box.checked) return;
    const set = box.closest("[data-formset]");
    if (!set) return;
    set.querySelectorAll("input[type=checkbox][name$='-is_primary']").forEach(function (other) {
      if (other !== box) other.checked = false;
    });
  });

  // Company picker: type to search (htmx fills the list), arrows to move, Enter to choose.
  function pickerOptions(picker) {
    return Array.from(picker.querySelectorAll("[role=option][data-value]"));
  }
  function pickerClose(picker) {
    const input = picker.querySelector("[data-picker-input]");
    picker.querySelector("[data-picker-options]").innerHTML = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }
  function pickerChoose(picker, option) {
    picker.querySelector("[data-picker-value]").value = option.getAttribute("data-value");
    const input = picker.querySelector("[data-picker-input]");
    input.value = option.getAttribute("data-label");
    input.setAttribute("data-chosen", input.value);
    pickerClose(picker);
  }
  function pickerMove(picker, step) {
    const options = pickerOptions(picker);
    if (!options.length) return;
    const input = picker.querySelector("[data-picker-input]");
    let index = options.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    index = (index + step + options.length) % options.length;
    options.forEach(function (o, i) { o.setAttribute("aria-selected", i === index ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", options[index].id);
    options[index].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    const list = event.target;
    if (!(list instanceof HTMLElement) || !list.hasAttribute("data-picker-options")) return;
    const input = list.closest("[data-picker]").querySelector("[data-picker-input]");
    input.setAttribute("aria-expanded", list.children.length ? "true" : "false");
    // A late answer must not lose the option the user has already moved to.
    const active = input.getAttribute("aria-activedescendant");
    const kept = active && document.getElementById(active);
    if (kept && list.contains(kept)) kept.setAttribute("aria-selected", "true");
    else input.removeAttribute("aria-activedescendant");
  });
  document.addEventListener("input", function (event) {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-picker-input")) return;
    // Typing replaces the choice until a company is picked again.
    if (input.value !== input.getAttribute("data-chosen")) {
      input.closest("[data-picker]").querySelector("[data-picker-value]").value = "";
    }
  });
  document.addEventListener("keydown", function (event) {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-picker-input")) return;
    const picker = input.closest("[data-picker]");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      pickerMove(picker, event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter") {
      // With the list open, Enter picks the highlighted company (or the first one).
      const options = pickerOptions(picker);
      const active = picker.querySelector("[role=option][aria-selected=true]") || options[0];
      if (active && input.getAttribute("aria-expanded") === "true") {
        event.preventDefault();
        pickerChoose(picker, active);
      }
    } else if (event.key === "Escape") {
      pickerClose(picker);
    }
  });
  document.addEventListener("mousedown", function (event) {
    const option = event.target.closest && event.target.closest("[data-picker] [role=option][data-value]");
    if (!option) return;
    event.preventDefault();
    pickerChoose(option.closest("[data-picker]"), option);
  });
  document.addEventListener("focusout", function (event) {
    const picker = event.target.closest && event.target.closest("[data-picker]");
    if (picker) window.setTimeout(function () {
      if (!picker.contains(document.activeElement)) pickerClose(picker);
    }, 150);
  });
})();
