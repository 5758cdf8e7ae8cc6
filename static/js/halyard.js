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
    // A download chosen from a menu closes the menu (the page itself stays).
    const download = event.target.closest && event.target.closest("details a[download]");
    if (download) download.closest("details").removeAttribute("open");
    const toggle = event.target.closest && event.target.closest("[data-toggle]");
    if (toggle) {
      const panel = document.getElementById(toggle.getAttribute("data-toggle"));
      const open = panel.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
  });

  // A new API key is shown once: select it all on focus so it is easy to copy.
  document.addEventListener("focusin", function (event) {
    const field = event.target;
    if (field.matches && field.matches("[data-select-on-focus]")) field.select();
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

  // Rich-text notes: a textarea[data-rich] becomes a small editor (toolbar + contenteditable)
  // that writes simple HTML back into the textarea. The server cleans it again with an
  // allow-list (nh3); cleaning here too keeps hostile markup from ever entering the live page.
  const RICH_TAGS = ["P", "BR", "DIV", "B", "STRONG", "I", "EM", "U", "S", "UL", "OL", "LI", "A",
    "H2", "H3", "H4", "BLOCKQUOTE", "CODE", "PRE"];
  const DROP = ["SCRIPT", "STYLE", "IFRAME", "OBJECT", "EMBED", "TEMPLATE", "NOSCRIPT"];

  function cleanInto(target, html) {
    // A <template> parses without running scripts or loading images.
    const template = document.createElement("template");
    template.innerHTML = html;
    function copy(from, to) {
      from.childNodes.forEach(function (node) {
        if (node.nodeType === Node.TEXT_NODE) { to.appendChild(document.createTextNode(node.data)); return; }
        if (node.nodeType !== Node.ELEMENT_NODE || DROP.includes(node.tagName)) return;
        if (!RICH_TAGS.includes(node.tagName)) { copy(node, to); return; }
        const el = document.createElement(node.tagName);
        if (node.tagName === "A") {
          const href = node.getAttribute("href") || "";
          if (/^(https?:|mailto:|tel:)/i.test(href.trim())) el.setAttribute("href", href.trim());
        }
        copy(node, el);
        to.appendChild(el);
      });
    }
    target.textContent = "";
    copy(template.content, target);
  }

  function looksLikeHtml(text) { return /<\s*\/?\s*[a-zA-Z][^>]*>/.test(text); }

  function enhanceRich(textarea) {
    if (textarea.dataset.enhanced) return;
    textarea.dataset.enhanced = "1";
    const label = document.querySelector("label[for='" + textarea.id + "']");
    const wrap = document.createElement("div");
    wrap.className = "rich-editor";
    const bar = document.createElement("div");
    bar.className = "rich-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", textarea.dataset.toolbarLabel || "Formatting");
    const editor = document.createElement("div");
    editor.className = "rich-area";
    editor.contentEditable = "true";
    editor.setAttribute("role", "textbox");
    editor.setAttribute("aria-multiline", "true");
    editor.tabIndex = 0;
    if (label) {
      if (!label.id) label.id = textarea.id + "-label";
      editor.setAttribute("aria-labelledby", label.id);
      label.addEventListener("click", function () { editor.focus(); });
    }
    const value = textarea.value;
    if (looksLikeHtml(value)) cleanInto(editor, value);
    else editor.textContent = value;
    const buttons = JSON.parse(textarea.dataset.toolbar || "[]");
    buttons.forEach(function (spec) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "secondary rich-btn";
      button.textContent = spec.icon;
      button.title = spec.label;
      button.setAttribute("aria-label", spec.label);
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () {
        editor.focus();
        if (spec.cmd === "createLink") {
          const url = window.prompt(spec.label, "https://");
          if (url && /^(https?:|mailto:|tel:)/i.test(url.trim())) document.execCommand("createLink", false, url.trim());
        } else if (spec.cmd === "formatBlock") {
          document.execCommand("formatBlock", false, spec.arg);
        } else {
          document.execCommand(spec.cmd, false, null);
        }
        sync();
      });
      bar.appendChild(button);
    });
    function sync() {
      const empty = !editor.textContent.trim() && !editor.querySelector("li");
      textarea.value = empty ? "" : editor.innerHTML;
    }
    editor.addEventListener("input", sync);
    // Pasted content arrives as plain text: no foreign markup, styles or handlers.
    editor.addEventListener("paste", function (event) {
      event.preventDefault();
      const text = (event.clipboardData || window.clipboardData).getData("text/plain");
      document.execCommand("insertText", false, text);
    });
    if (textarea.getAttribute("aria-invalid") === "true") editor.setAttribute("aria-invalid", "true");
    textarea.hidden = true;
    textarea.parentNode.insertBefore(wrap, textarea);
    wrap.appendChild(bar);
    wrap.appendChild(editor);
    wrap.appendChild(textarea);
    const form = textarea.form;
    if (form) form.addEventListener("submit", sync, true);
  }

  function enhance(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("textarea[data-rich]").forEach(enhanceRich);
  }
  enhance(document);
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });

  // The short form on record pages: after HTMX swaps it, put the focus where the user expects:
  // on the first field with an error, on the first field of a newly chosen form, or back on
  // the chosen tab after a successful save.
  document.addEventListener("htmx:afterSettle", function (event) {
    const target = event.detail.target;
    if (!target || !target.id) return;
    const quick = document.getElementById("quick-form");
    if (!quick) return;
    const error = quick.querySelector(".errorlist");
    if (error) {
      const field = error.closest(".field, fieldset, form").querySelector(".rich-area, input:not([type=hidden]), select, textarea:not([hidden])");
      if (field) field.focus();
      return;
    }
    if (target.id === "quick-form") {
      const first = quick.querySelector("form .rich-area, form input:not([type=hidden]), form select, form textarea:not([hidden])");
      if (first) first.focus();
    } else if (target.id === "timeline") {
      const tab = quick.querySelector(".log-tabs [aria-current]");
      if (tab) tab.focus();
    }
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

// Record lists: the filter builder, the column chooser and row selection for bulk actions.
(function () {
  "use strict";

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

// Deal board dialogs and pipeline settings.
(function () {
  "use strict";

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

// Forms: repeated rows, the company picker and duplicate warnings.
(function () {
  "use strict";

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

// A field opened for editing in place takes the focus, so the person can type at once.
document.addEventListener("htmx:afterSwap", function (event) {
  const form = event.detail.target && event.detail.target.querySelector
    ? event.detail.target.querySelector(".inline-edit")
    : null;
  const input = form && form.querySelector("input:not([type=hidden]), select, textarea");
  if (input) input.focus();
});
