// A one-click survey link: the page records the score by submitting its form once it has loaded
// (a mail scanner that only fetches the link records nothing; without script, the button does it).
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-submit-on-load]")) {
    if (form.dataset.submitted) continue;
    form.dataset.submitted = "1";
    form.requestSubmit();
  }
});
