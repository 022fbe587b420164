/* The plan's board: drag a card to another column to change the task's status (SortableJS from npm).
 * The server checks the version the page read; on a conflict or a refusal the board reloads. */
(function () {
  "use strict";
  const board = document.querySelector("[data-board]");
  if (!board || typeof Sortable === "undefined") return;
  const T = JSON.parse(document.getElementById("board-strings").textContent);
  const statusEl = document.querySelector("[data-board-status]");
  const csrf = (() => {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  })();
  const url = board.dataset.statusUrl;

  function say(message, kind) {
    statusEl.textContent = message;
    statusEl.className = "alert board-status alert-" + kind;
  }

  // A column shows its first cards only; its count is the column's total, moved by one per drop.
  function recount(from, to) {
    for (const [list, delta] of [[from, -1], [to, 1]]) {
      const count = list.closest(".board-column").querySelector("[data-count]");
      count.textContent = String(Number(count.textContent) + delta);
    }
  }

  async function move(card, from, to) {
    const status = to.dataset.status;
    const response = await fetch(url.replace("/0/", "/" + card.dataset.taskId + "/"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ version: Number(card.dataset.version), status: status }),
    });
    let payload = {};
    try { payload = await response.json(); } catch (e) { payload = {}; }
    if (response.ok) {
      card.dataset.version = payload.version;
      const bar = card.querySelector(".progress span");
      if (bar) bar.style.width = payload.progress + "%";
      card.querySelector(".progress")?.setAttribute("aria-valuenow", payload.progress);
      recount(from, to);
      return;
    }
    say(response.status === 409 ? T.conflict : payload.error || T.failed, "error");
    setTimeout(() => location.reload(), response.status === 409 ? 1800 : 2500);
  }

  board.querySelectorAll(".board-cards").forEach((list) => {
    Sortable.create(list, {
      group: "board",
      animation: 150,
      draggable: ".board-card[data-movable='true']",
      filter: ".board-empty",
      onEnd: (event) => {
        if (event.from === event.to) return;
        move(event.item, event.from, event.to);
      },
    });
  });
})();
