// Zhongyi page enhancements. Everything works without this script; it only saves reloads.
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form && form.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }

  // Sorting applies as soon as a choice is made.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // A message next to the control it is about, read out by screen readers (never a silent
  // failure, never a blocking alert()).
  function say(form, text) {
    var note = form.nextElementSibling;
    if (!note || !note.classList.contains("action-message")) {
      note = document.createElement("p");
      note.className = "error action-message";
      note.setAttribute("role", "alert");
      form.parentNode.insertBefore(note, form.nextSibling);
    }
    note.textContent = text;
  }

  // Voting through the JSON API, so the page keeps its scroll position.
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".vote-form button[name=value]");
    if (!button || button.disabled) return;
    var form = button.form;
    event.preventDefault();
    // Muted, or the consultation closed: say why instead of sending a vote that will be refused.
    if (form.getAttribute("data-refusal")) { say(form, form.getAttribute("data-refusal")); return; }
    var id = form.getAttribute("data-comment-id");
    fetch("/api/v1/comments/" + id + "/vote", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(form) },
      body: JSON.stringify({ value: parseInt(button.value, 10) })
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, status: response.status, data: data }; });
    }).then(function (result) {
      if (!result.ok) { say(form, result.data.error ? result.data.error.message : String(result.status)); return; }
      var old = form.nextElementSibling;
      if (old && old.classList.contains("action-message")) old.remove();
      var votes = result.data.votes;
      form.querySelectorAll("[data-count]").forEach(function (span) {
        span.textContent = votes[span.getAttribute("data-count")];
      });
      form.querySelectorAll("button[name=value]").forEach(function (b) {
        var chosen = b === button;
        b.classList.toggle("chosen", chosen);
        b.setAttribute("aria-pressed", chosen ? "true" : "false");
      });
    }).catch(function () { form.submit(); });
  });

  // Staff form: add another empty section slot.
  var add = document.querySelector("[data-add-section]");
  if (add) {
    add.addEventListener("click", function () {
      var slots = document.querySelectorAll("[data-section-slot]");
      var last = slots[slots.length - 1];
      var copy = last.cloneNode(true);
      var n = slots.length;
      copy.querySelectorAll("input, textarea, label").forEach(function (el) {
        ["id", "name", "for"].forEach(function (attr) {
          var v = el.getAttribute(attr);
          if (v) el.setAttribute(attr, v.replace(/sections-\d+-/, "sections-" + n + "-"));
        });
        if (el.tagName === "LABEL") el.textContent = el.textContent.replace(/\d+/, String(n + 1));
        if (el.tagName !== "LABEL") el.value = "";
      });
      last.parentNode.insertBefore(copy, add);
      var title = copy.querySelector("input[type=text], input:not([type=hidden])");
      if (title) title.focus();
    });
  }
})();
