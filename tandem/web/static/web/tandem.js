/* Behaviour shared by every page, kept out of the HTML so the Content-Security-Policy can refuse
 * inline script: filters that apply on change, Ctrl+Enter to send and Esc to cancel in comment
 * forms, and the comments drawer (focus its heading when it opens, Esc or Close empties it). */
(function () {
  "use strict";

  document.addEventListener("change", (e) => {
    const field = e.target.closest && e.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.requestSubmit();
  });

  document.addEventListener("click", (e) => {
    const close = e.target.closest && e.target.closest("[data-drawer-close]");
    if (close) close.closest(".comments-drawer").replaceChildren();
  });

  document.addEventListener("keydown", (e) => {
    const target = e.target;
    if (!(target instanceof Element)) return;
    const form = target.closest("form[data-ctrl-enter]");
    if (form && e.key === "Enter" && (e.ctrlKey || e.metaKey) && target.matches("textarea")) {
      e.preventDefault();
      form.requestSubmit();
      return;
    }
    if (e.key !== "Escape") return;
    const editor = target.closest(".comment-edit");
    if (editor) {
      const cancel = editor.querySelector("[data-cancel]");
      if (cancel) cancel.click();
      return;
    }
    const drawer = target.closest(".comments-drawer");
    if (drawer && !target.value) drawer.replaceChildren();
  });

  document.addEventListener("htmx:afterSettle", (e) => {
    const drawer = e.target;
    if (!(drawer instanceof Element) || !drawer.matches(".comments-drawer")) return;
    const heading = drawer.querySelector("#comments-h");
    if (heading) heading.focus();
  });
})();
