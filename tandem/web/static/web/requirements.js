/* The requirements list: drag rows to change the order of priority (SortableJS from npm). The new
 * order is sent with the list's hidden reorder form; the list can be replaced by a filter (HTMX),
 * so every list that arrives is made sortable. */
(function () {
  "use strict";
  if (typeof Sortable === "undefined") return;

  function submitOrder(body) {
    const form = document.getElementById(body.dataset.reorderForm);
    if (!form) return;
    form.querySelectorAll("input[name=order]").forEach((input) => input.remove());
    body.querySelectorAll("tr[data-id]").forEach((row) => {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = "order";
      input.value = row.dataset.id;
      form.appendChild(input);
    });
    form.submit();
  }

  function enable(root) {
    const bodies = root.matches("[data-reorder-form]") ? [root] : root.querySelectorAll("[data-reorder-form]");
    bodies.forEach((body) => {
      if (Sortable.get(body)) return;
      Sortable.create(body, {
        animation: 150,
        draggable: "tr[data-id]",
        filter: "button, a",
        preventOnFilter: false,
        onEnd: (event) => { if (event.oldIndex !== event.newIndex) submitOrder(body); },
      });
    });
  }

  document.addEventListener("htmx:load", (e) => { if (e.target instanceof Element) enable(e.target); });
  enable(document.documentElement);
})();
