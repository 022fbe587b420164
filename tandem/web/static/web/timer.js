/* The running timer in the page header: ticks its clock every second from the start time the
 * server wrote (the server works out the minutes when it is stopped; this is only the display). */
(function () {
  "use strict";

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  function tick() {
    document.querySelectorAll("[data-timer-start]").forEach((clock) => {
      const start = Date.parse(clock.getAttribute("data-timer-start"));
      if (Number.isNaN(start)) return;
      const seconds = Math.max(0, Math.floor((Date.now() - start) / 1000));
      clock.textContent = `${Math.floor(seconds / 3600)}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
    });
  }

  tick();
  setInterval(tick, 1000);
})();
