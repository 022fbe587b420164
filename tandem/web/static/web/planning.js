/* Tandem's Gantt page: frappe-gantt (from npm) draws bars, links and the time grid; this file adds the
 * WBS tree with collapse, milestones, the critical path, agreed-baseline bars, the today line, link
 * drawing, and PNG/PDF export. Every change is sent to the server with the version the page read; the
 * server reschedules and the chart reloads from its answer.
 *
 * Changes, reloads and redraws run one after another (`queue`); while any is under way the chart has
 * aria-busy="true", and exports wait until the chart has settled, so a picture never shows a chart
 * being redrawn. */
(function () {
  "use strict";
  const script = document.currentScript;
  const language = (script && script.dataset.language) || "en";
  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  let data = unpack(read("gantt-data"));
  const T = read("gantt-strings");
  const urls = read("gantt-urls");
  const chartEl = document.querySelector("[data-gantt-chart]");
  const treeRows = document.querySelector("[data-gantt-tree-rows]");
  const treeHead = document.querySelector("[data-gantt-tree-head]");
  const statusEl = document.querySelector("[data-gantt-status]");
  const pagerEl = document.querySelector("[data-gantt-pager]");
  if (!chartEl) return;

  const BAR = 22, PAD = 14, UPPER = 40, LOWER = 28, ROW = BAR + PAD, HEADER = UPPER + LOWER + 10;
  const storageKey = "tandem-gantt-collapsed:" + location.pathname;
  const csrf = (() => {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  })();
  let collapsed = new Set(JSON.parse(localStorage.getItem(storageKey) || "[]"));
  let viewMode = "Week";
  let linkMode = false;
  let gantt = null;
  let shown = [];
  let offDays = new Set();
  let settled = Promise.resolve();
  let queued = 0;
  let page = 0;
  const PAGE_ROWS = Number((pagerEl && pagerEl.dataset.pageRows) || 200);

  // frappe-gantt writes a bar's name and the popup's text as HTML: everything we pass it is escaped.
  const escape = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const quarterOf = (d) => Math.floor(d.getMonth() / 3) + 1;
  const VIEW_MODES = [
    {
      name: "Day", padding: "7d", step: "1d", date_format: "YYYY-MM-DD", column_width: 34,
      lower_text: (d) => String(d.getDate()),
      upper_text: (d, ld) => (!ld || d.getMonth() !== ld.getMonth()
        ? d.toLocaleDateString(language, { year: "numeric", month: "long" }) : ""),
      thick_line: (d) => d.getDay() === 1,
    },
    {
      name: "Week", padding: "14d", step: "7d", date_format: "YYYY-MM-DD", column_width: 64,
      lower_text: (d) => d.toLocaleDateString(language, { month: "numeric", day: "numeric" }),
      upper_text: (d, ld) => (!ld || d.getMonth() !== ld.getMonth()
        ? d.toLocaleDateString(language, { year: "numeric", month: "long" }) : ""),
      thick_line: (d) => d.getDate() <= 7,
      snap_at: "1d",
    },
    {
      name: "Month", padding: "1m", step: "1m", date_format: "YYYY-MM", column_width: 96,
      lower_text: (d) => d.toLocaleDateString(language, { month: "short" }),
      upper_text: (d, ld) => (!ld || d.getFullYear() !== ld.getFullYear() ? String(d.getFullYear()) : ""),
      thick_line: (d) => d.getMonth() % 3 === 0,
      snap_at: "1d",
    },
    {
      name: "Quarter", padding: "3m", step: "1m", date_format: "YYYY-MM", column_width: 36,
      lower_text: (d) => String(d.getMonth() + 1),
      upper_text: (d, ld) => (!ld || quarterOf(d) !== quarterOf(ld) || d.getFullYear() !== ld.getFullYear()
        ? d.getFullYear() + " Q" + quarterOf(d) : ""),
      thick_line: (d) => d.getMonth() % 3 === 0,
      snap_at: "7d",
    },
  ];

  // ------------------------------------------------------------------ data

  // The server sends rows as arrays (`fields` names the columns), dates as days after `origin`, and
  // kinds, statuses, owners and risk titles as indexes into its tables: unpack them into objects once.
  function unpack(raw) {
    const [y, m, d] = raw.origin.split("-").map(Number);
    const dayOf = (n) => {
      if (n === null || n === undefined) return null;
      const date = new Date(y, m - 1, d + n);
      return day(date);
    };
    const col = Object.fromEntries(raw.fields.map((name, i) => [name, i]));
    const tasks = raw.rows.map((r) => {
      const flags = r[col.flags], kind = raw.kinds[r[col.kind]], status = raw.statuses[r[col.status]];
      const level = r[col.risk_level];
      return {
        id: String(r[col.id]),
        name: r[col.name],
        wbs: r[col.wbs],
        parent: r[col.parent] === null ? null : String(r[col.parent]),
        kind: kind[0], kind_label: kind[1],
        status: status[0], status_label: status[1],
        start: dayOf(r[col.start]),
        end: dayOf(r[col.end]),
        progress: r[col.progress],
        critical: Boolean(flags & 1), summary: Boolean(flags & 2),
        overdue: Boolean(flags & 4), slipping: Boolean(flags & 8),
        milestone: kind[0] === "milestone",
        owner: raw.owners[r[col.owner]],
        baseline_start: dayOf(r[col.baseline_start]),
        baseline_end: dayOf(r[col.baseline_end]),
        risk_level: level,
        risk_level_label: level ? raw.risk_levels[level] : "",
        risks: r[col.risks].map((i) => raw.risks[i]),
        version: r[col.version],
        assigned: (r[col.assigned] || []).map((i) => raw.resources[i]),
      };
    });
    return {
      tasks: tasks,
      links: raw.links.map(([from, to]) => ({ from: String(from), to: String(to) })),
      today: raw.today,
      off_days: raw.off_days,
      editable: raw.editable,
      baseline: raw.baseline,
    };
  }

  // ------------------------------------------------------------------ tree

  function byId() { return new Map(data.tasks.map((t) => [t.id, t])); }

  function visibleRows() {
    const index = byId();
    return data.tasks.filter((t) => {
      if (!t.start) return false;
      let parent = t.parent && index.get(t.parent);
      while (parent) {
        if (collapsed.has(parent.id)) return false;
        parent = parent.parent && index.get(parent.parent);
      }
      return true;
    });
  }

  function depth(t, index) {
    let n = 0, parent = t.parent && index.get(t.parent);
    while (parent) { n += 1; parent = parent.parent && index.get(parent.parent); }
    return n;
  }

  function renderTree() {
    const index = byId();
    treeHead.style.height = HEADER + "px";
    treeRows.innerHTML = "";
    for (const t of shown) {
      const row = document.createElement("div");
      row.className = "gantt-tree-row" + (t.summary ? " is-summary" : "") + (t.milestone ? " is-milestone" : "")
        + (t.critical ? " is-critical" : "");
      row.style.height = ROW + "px";
      row.dataset.taskId = t.id;
      const wbs = document.createElement("span");
      wbs.className = "wbs";
      wbs.textContent = t.wbs;
      const name = document.createElement("span");
      name.className = "name";
      name.style.paddingLeft = depth(t, index) * 14 + "px";
      if (t.summary) {
        const toggle = document.createElement("button");
        toggle.type = "button";
        toggle.className = "toggle";
        toggle.setAttribute("aria-expanded", collapsed.has(t.id) ? "false" : "true");
        toggle.setAttribute("aria-label", t.name);
        toggle.textContent = collapsed.has(t.id) ? "▸" : "▾";
        toggle.addEventListener("click", () => {
          if (collapsed.has(t.id)) collapsed.delete(t.id); else collapsed.add(t.id);
          localStorage.setItem(storageKey, JSON.stringify([...collapsed]));
          redraw();
        });
        name.appendChild(toggle);
      } else {
        const spacer = document.createElement("span");
        spacer.className = "toggle-spacer";
        name.appendChild(spacer);
      }
      const label = document.createElement("span");
      label.className = "label";
      label.textContent = t.name;
      label.title = t.name;
      name.appendChild(label);
      if (t.slipping) name.appendChild(flag("flag-slipping", "!", T.slipping));
      if (t.overdue) name.appendChild(flag("flag-overdue", "⏰", T.overdue));
      if (t.risks && t.risks.length) {
        const tip = T.risks + " (" + t.risk_level_label + "): " + t.risks.join(" · ");
        const marker = flag("flag-risk risk-level-" + t.risk_level, "⚠", tip);
        marker.dataset.riskLevel = t.risk_level;
        name.appendChild(marker);
      }
      row.append(wbs, name);
      if (data.editable && urls.assign && !t.summary) {
        // A plain link to the task's assignment dialog, which brings the editor back here.
        const assign = document.createElement("a");
        assign.className = "row-assign";
        assign.href = urls.assign.replace("/0/", "/" + t.id + "/")
          + "?back=" + encodeURIComponent(location.pathname + location.search);
        assign.textContent = "+";
        assign.title = T.assign.replace("%(task)s", t.name);
        assign.setAttribute("aria-label", assign.title);
        row.appendChild(assign);
      }
      treeRows.appendChild(row);
    }
  }

  function flag(cls, text, title) {
    const el = document.createElement("span");
    el.className = "flag " + cls;
    el.textContent = text;
    el.title = title;
    el.setAttribute("aria-label", title);
    return el;
  }

  // ------------------------------------------------------------------ chart

  // frappe-gantt takes one class per bar; the flags are added to the bar's group after each render.
  function kindClass(t) {
    return t.summary ? "is-summary" : t.milestone ? "is-milestone" : "is-task";
  }

  function flagClasses(t) {
    return [t.critical && "is-critical", t.slipping && "is-slipping", t.overdue && "is-overdue"].filter(Boolean);
  }

  function frappeTasks() {
    const ids = new Set(shown.map((t) => t.id));
    const preds = new Map();
    for (const link of data.links) {
      if (!ids.has(link.from) || !ids.has(link.to)) continue;
      if (!preds.has(link.to)) preds.set(link.to, []);
      preds.get(link.to).push(link.from);
    }
    return shown.map((t) => ({
      id: t.id,
      // The assigned names follow the bar's label, as in MS Project.
      name: escape(t.assigned.length ? t.name + " · " + t.assigned.join(", ") : t.name),
      start: t.start,
      end: t.end || t.start,
      progress: t.milestone ? 0 : t.progress,
      dependencies: (preds.get(t.id) || []).join(","),
      custom_class: kindClass(t),
    }));
  }

  function popup(ctx) {
    const t = byId().get(String(ctx.task.id));
    if (!t) return;
    ctx.set_title(escape((t.wbs ? t.wbs + " " : "") + t.name));
    ctx.set_subtitle(escape(t.kind_label + " · " + t.status_label));
    const lines = [];
    lines.push(T.start + ": " + t.start + " · " + T.finish + ": " + t.end);
    if (t.baseline_end) lines.push(T.baseline + ": " + t.baseline_start + " → " + t.baseline_end);
    if (!t.milestone) lines.push(T.progress + ": " + t.progress + "%");
    if (t.owner) lines.push(T.owner + ": " + t.owner);
    if (t.assigned.length) lines.push(T.assigned + ": " + t.assigned.join(", "));
    const flags = [t.critical && T.critical, t.slipping && T.slipping, t.overdue && T.overdue].filter(Boolean);
    if (flags.length) lines.push(flags.join(" · "));
    if (t.risks && t.risks.length) lines.push(T.risks + " (" + t.risk_level_label + "): " + t.risks.join(" · "));
    ctx.set_details(lines.map(escape).join("<br>"));
  }

  function parseDay(text) {
    const [y, m, d] = text.split("-").map(Number);
    return new Date(y, m - 1, d);
  }

  function xOf(date) {
    // The same formula frappe-gantt uses for a bar's x, so baselines and today line up with the bars.
    const start = gantt.gantt_start, unit = gantt.config.unit;
    let diff;
    if (unit === "day" || unit === "hour") {
      const ms = date - start + (start.getTimezoneOffset() - date.getTimezoneOffset()) * 60000;
      diff = unit === "day" ? ms / 86400000 : ms / 3600000;
    } else {
      let months = (date.getFullYear() - start.getFullYear()) * 12 + date.getMonth() - start.getMonth() + date.getDate() / 31;
      if (date.getDate() < start.getDate()) months -= 1;
      diff = unit === "year" ? months / 12 : months;
    }
    return (diff / gantt.config.step) * gantt.config.column_width;
  }

  const NS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, parent) {
    const el = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    if (parent) parent.appendChild(el);
    return el;
  }

  function decorate() {
    if (!gantt) return;
    const root = gantt.$svg;
    root.querySelectorAll(".tandem-layer").forEach((el) => el.remove());
    const under = svg("g", { class: "tandem-layer baselines" });
    root.insertBefore(under, gantt.layers.bar);
    const over = svg("g", { class: "tandem-layer overlay" }, root);
    const index = byId();
    for (const bar of gantt.bars) {
      const t = index.get(String(bar.task.id));
      if (!t) continue;
      bar.group.classList.add(...flagClasses(t));
      const y = bar.$bar.getY();
      if (t.baseline_start && t.baseline_end) {
        const x1 = xOf(parseDay(t.baseline_start));
        if (t.milestone) {
          const cx = xOf(parseDay(t.baseline_end)) + (xOf(new Date(2000, 0, 2)) - xOf(new Date(2000, 0, 1))) / 2;
          svg("path", { class: "baseline-milestone", d: diamond(cx, y + BAR / 2, 6) }, under);
        } else {
          const end = parseDay(t.baseline_end);
          end.setDate(end.getDate() + 1);
          svg("rect", { class: "baseline-bar", x: x1, y: y + BAR + 2, width: Math.max(xOf(end) - x1, 2), height: 4, rx: 1 }, under);
        }
      }
      if (t.milestone) {
        const cx = bar.$bar.getX() + bar.$bar.getWidth() / 2;
        const group = bar.bar_group;
        svg("path", { class: "milestone-diamond", d: diamond(cx, y + BAR / 2, 9) }, group);
        const label = group.querySelector(".bar-label");
        if (label) {
          label.setAttribute("x", cx + 14);
          label.classList.add("big");
        }
      }
    }
    for (const arrow of gantt.arrows || []) {
      const a = index.get(String(arrow.from_task.task.id)), b = index.get(String(arrow.to_task.task.id));
      if (a && b && a.critical && b.critical) arrow.element.classList.add("is-critical");
    }
    const today = parseDay(data.today);
    const x = xOf(today) + (gantt.config.unit === "day" && gantt.config.step === 1 ? gantt.config.column_width / 2 : 0);
    svg("line", { class: "today-line", x1: x, x2: x, y1: HEADER - 10, y2: gantt.grid_height }, over);
    if (linkMode) enableLinkDrawing(over);
  }

  function diamond(cx, cy, r) {
    return `M ${cx} ${cy - r} L ${cx + r} ${cy} L ${cx} ${cy + r} L ${cx - r} ${cy} Z`;
  }

  // ------------------------------------------------------------------ settling

  const nextFrame = () => new Promise((done) => requestAnimationFrame(() => done()));

  // frappe-gantt scrolls smoothly (to today, or after a zoom), and decorates the bars a frame after
  // drawing them: the chart has settled when the decorations are on and the scrolling has stopped.
  async function drawn() {
    let last = null, still = 0;
    while (still < 3) {
      await nextFrame();
      const box = chartEl.querySelector(".gantt-container");
      const left = box ? box.scrollLeft : 0;
      still = left === last ? still + 1 : 0;
      last = left;
    }
  }

  function queue(step) {
    queued += 1;
    chartEl.setAttribute("aria-busy", "true");
    settled = settled
      .then(step)
      .catch((error) => { console.error(error); say(T.failed, "error"); })
      .then(drawn)
      .finally(() => {
        queued -= 1;
        if (!queued) chartEl.setAttribute("aria-busy", "false");
      });
    return settled;
  }

  async function whenSettled() {
    let current;
    do { current = settled; await current; } while (current !== settled);
  }

  const redraw = () => queue(() => render(true));

  // A plan of thousands of rows is shown a page of rows at a time: frappe-gantt draws every bar,
  // arrow and grid row it is given as SVG, so the page size keeps the chart smooth however large the
  // plan. Links to rows of other pages are not drawn.
  function paginate(rows) {
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_ROWS));
    page = Math.min(Math.max(page, 0), pages - 1);
    if (pagerEl) {
      pagerEl.hidden = pages < 2;
      const first = page * PAGE_ROWS;
      pagerEl.querySelector("[data-gantt-rows]").textContent = T.rows
        .replace("%(first)s", String(first + 1))
        .replace("%(last)s", String(Math.min(first + PAGE_ROWS, rows.length)))
        .replace("%(total)s", String(rows.length));
      pagerEl.querySelector("[data-page=previous]").disabled = page === 0;
      pagerEl.querySelector("[data-page=next]").disabled = page >= pages - 1;
    }
    return rows.slice(page * PAGE_ROWS, (page + 1) * PAGE_ROWS);
  }

  function render(keepScroll) {
    offDays = new Set(data.off_days || []);
    shown = paginate(visibleRows());
    renderTree();
    const container = chartEl.querySelector(".gantt-container");
    const scroll = keepScroll && container ? container.scrollLeft : null;
    chartEl.innerHTML = "";
    if (!shown.length) return;
    gantt = new Gantt(chartEl, frappeTasks(), {
      // frappe-gantt opens on the first of its view modes: put the current zoom first.
      view_modes: [...VIEW_MODES.filter((m) => m.name === viewMode), ...VIEW_MODES.filter((m) => m.name !== viewMode)],
      language: language,
      bar_height: BAR,
      padding: PAD,
      upper_header_height: UPPER,
      lower_header_height: LOWER,
      bar_corner_radius: 3,
      arrow_curve: 4,
      readonly: !data.editable || linkMode,
      readonly_progress: true,
      move_dependencies: false,
      infinite_padding: false,
      today_button: false,
      view_mode_select: false,
      scroll_to: scroll === null ? "today" : null,
      popup_on: "click",
      popup: popup,
      // Days off come from the project calendar: public holidays are shaded, make-up working days are not.
      holidays: { "var(--g-weekend-highlight-color)": (d) => offDays.has(day(d)) },
      on_view_change: () => requestAnimationFrame(decorate),
      on_date_change: onDateChange,
    });
    const box = chartEl.querySelector(".gantt-container");
    if (box && scroll !== null) box.scrollLeft = scroll;
    if (box) {
      box.setAttribute("data-view-mode", viewMode);
      // The chart scrolls sideways: keyboard users reach it with Tab and scroll it with the arrows.
      box.tabIndex = 0;
      box.setAttribute("role", "group");
      box.setAttribute("aria-labelledby", "gantt-h");
    }
  }

  // ------------------------------------------------------------------ writes

  function say(message, kind) {
    statusEl.textContent = message || "";
    statusEl.className = "gantt-status" + (kind ? " is-" + kind : "");
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "X-Requested-With": "fetch" },
      body: JSON.stringify(body),
    });
    let payload = {};
    try { payload = await response.json(); } catch (e) { payload = {}; }
    return { status: response.status, payload };
  }

  async function load() {
    const response = await fetch(urls.data, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (response.ok) data = unpack(await response.json());
    render(true);
  }

  const reload = () => queue(load);

  function day(date) {
    const pad = (n) => String(n).padStart(2, "0");
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate());
  }

  // frappe-gantt reports every step of a drag; the last one is sent when the mouse is released.
  let pending = null;
  function onDateChange(task, start, end) {
    pending = { id: String(task.id), start: start, end: end };
  }
  document.addEventListener("mouseup", () => { setTimeout(flush, 0); });

  function flush() {
    if (!pending) return;
    const change = pending;
    pending = null;
    const t = byId().get(change.id);
    if (!t) return;
    queue(async () => {
      if (t.summary) { say(T.summary, "warn"); await load(); return; }
      const { status, payload } = await post(urls.dates.replace("/0/", "/" + t.id + "/"), {
        version: t.version, start: day(change.start), end: day(change.end),
      });
      if (status === 200) say(T.saved, "ok");
      else if (status === 409) say(T.conflict, "error");
      else say((payload && payload.error) || T.failed, "error");
      await load();
    });
  }

  function enableLinkDrawing(layer) {
    const root = gantt.$svg;
    let from = null, line = null;
    const point = (e) => {
      const box = root.getBoundingClientRect();
      return [e.clientX - box.left, e.clientY - box.top];
    };
    root.onmousedown = (e) => {
      const wrapper = e.target.closest(".bar-wrapper");
      if (!wrapper) return;
      e.preventDefault();
      e.stopPropagation();
      from = wrapper.getAttribute("data-id");
      const [x, y] = point(e);
      line = svg("line", { class: "link-draft", x1: x, y1: y, x2: x, y2: y }, layer);
    };
    root.onmousemove = (e) => {
      if (!line) return;
      const [x, y] = point(e);
      line.setAttribute("x2", x);
      line.setAttribute("y2", y);
    };
    root.onmouseup = (e) => {
      if (!line) return;
      line.remove();
      line = null;
      const target = document.elementFromPoint(e.clientX, e.clientY);
      const wrapper = target && target.closest(".bar-wrapper");
      const to = wrapper && wrapper.getAttribute("data-id");
      const source = from;
      from = null;
      if (!to || to === source) return;
      queue(async () => {
        const { status, payload } = await post(urls.link, { from: source, to: to });
        if (status === 200) say(T.linked, "ok");
        else say((payload && payload.error) || T.failed, "error");
        await load();
      });
    };
  }

  // ------------------------------------------------------------------ export

  const STYLE_PROPS = ["fill", "fill-opacity", "stroke", "stroke-width", "stroke-dasharray", "stroke-opacity", "opacity",
    "font-size", "font-family", "font-weight", "text-anchor", "dominant-baseline", "visibility", "display", "height"];

  function inlineStyles(source, clone) {
    const a = source.querySelectorAll("*"), b = clone.querySelectorAll("*");
    for (let i = 0; i < a.length && i < b.length; i += 1) {
      const style = getComputedStyle(a[i]);
      const text = STYLE_PROPS.map((p) => {
        const v = style.getPropertyValue(p);
        if (!v || (p === "height" && (a[i].tagName !== "rect" || v === "auto"))) return "";
        return p + ":" + v;
      }).filter(Boolean).join(";");
      b[i].setAttribute("style", text);
    }
  }

  function exportSvg() {
    const treeWidth = 320;
    const chartWidth = gantt.dates.length * gantt.config.column_width;
    const height = gantt.grid_height;
    const TITLE = 44;
    const root = svg("svg", {
      xmlns: NS, width: treeWidth + chartWidth, height: height + TITLE, viewBox: `0 0 ${treeWidth + chartWidth} ${height + TITLE}`,
    });
    const font = getComputedStyle(document.body).fontFamily;
    svg("rect", { x: 0, y: 0, width: treeWidth + chartWidth, height: height + TITLE, fill: "#ffffff" }, root);
    // A title line for slides: project, "Plan" and the date, as on the printed page.
    const caption = document.querySelector("[data-gantt-print] figcaption");
    const title = svg("text", { x: 12, y: 28, "font-family": font, "font-size": 16, "font-weight": 600, fill: "#0f172a" }, root);
    title.textContent = caption ? caption.textContent.replace(/\s+/g, " ").trim() : "";
    const out = svg("g", { transform: `translate(0, ${TITLE})` }, root);
    const clone = gantt.$svg.cloneNode(true);
    inlineStyles(gantt.$svg, clone);
    clone.setAttribute("x", treeWidth);
    clone.setAttribute("width", chartWidth);
    clone.setAttribute("height", height);
    out.appendChild(clone);
    // The date header is HTML in frappe-gantt; write it into the picture as SVG text.
    const header = svg("g", { "font-family": font, fill: "#334155" }, out);
    svg("rect", { x: treeWidth, y: 0, width: chartWidth, height: HEADER - 10, fill: "#f8fafc" }, header);
    const base = gantt.$container.getBoundingClientRect().left - gantt.$container.scrollLeft;
    for (const el of gantt.$container.querySelectorAll(".upper-text, .lower-text")) {
      const upper = el.classList.contains("upper-text");
      const left = el.getBoundingClientRect().left - base;
      const node = svg("text", {
        x: treeWidth + left + (upper ? 4 : el.getBoundingClientRect().width / 2),
        y: upper ? UPPER * 0.6 : UPPER + LOWER * 0.6,
        "font-size": upper ? 13 : 11,
        "font-weight": upper ? 600 : 400,
        "text-anchor": upper ? "start" : "middle",
      }, header);
      node.textContent = el.textContent;
    }
    svg("line", { x1: treeWidth, x2: treeWidth + chartWidth, y1: HEADER - 10, y2: HEADER - 10, stroke: "#cbd5e1" }, header);
    // The WBS column.
    const tree = svg("g", { "font-family": font, "font-size": 12, fill: "#0f172a" }, out);
    svg("rect", { x: 0, y: 0, width: treeWidth, height: height, fill: "#ffffff" }, tree);
    svg("line", { x1: treeWidth - 0.5, x2: treeWidth - 0.5, y1: 0, y2: height, stroke: "#cbd5e1" }, tree);
    const index = byId();
    shown.forEach((t, i) => {
      const y = HEADER + i * ROW + ROW / 2 + 4;
      const wbs = svg("text", { x: 10, y: y, fill: "#64748b" }, tree);
      wbs.textContent = t.wbs;
      const name = svg("text", { x: 56 + depth(t, index) * 12, y: y, "font-weight": t.summary ? 600 : 400, fill: t.critical ? "#b91c1c" : "#0f172a" }, tree);
      name.textContent = t.name.length > 34 ? t.name.slice(0, 33) + "…" : t.name;
      svg("line", { x1: 0, x2: treeWidth, y1: HEADER + (i + 1) * ROW - 10, y2: HEADER + (i + 1) * ROW - 10, stroke: "#eef2f7" }, tree);
    });
    return { node: root, width: treeWidth + chartWidth, height: height + TITLE };
  }

  function toPng() {
    const { node, width, height } = exportSvg();
    const scale = Math.max(1, Math.min(2, 16000 / width));
    const text = new XMLSerializer().serializeToString(node);
    const url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml;charset=utf-8" }));
    return new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => {
        const canvas = document.createElement("canvas");
        canvas.width = Math.round(width * scale);
        canvas.height = Math.round(height * scale);
        const context = canvas.getContext("2d");
        context.scale(scale, scale);
        context.drawImage(img, 0, 0);
        URL.revokeObjectURL(url);
        resolve(canvas);
      };
      img.onerror = reject;
      img.src = url;
    });
  }

  const fileName = () => (document.querySelector(".project-title .code")?.textContent || "plan") + "-gantt";

  async function exportPng() {
    await whenSettled();
    const canvas = await toPng();
    canvas.toBlob((blob) => {
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = fileName() + ".png";
      document.body.appendChild(a);
      a.click();
      setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    }, "image/png");
  }

  async function exportPdf() {
    await whenSettled();
    const canvas = await toPng();
    const img = document.querySelector("[data-gantt-print-img]");
    img.src = canvas.toDataURL("image/png");
    await img.decode().catch(() => undefined);
    window.print();
  }

  // ------------------------------------------------------------------ toolbar

  document.querySelectorAll("[data-zoom]").forEach((link) => {
    link.addEventListener("click", (e) => {
      e.preventDefault();
      viewMode = link.dataset.zoom;
      document.querySelectorAll("[data-zoom]").forEach((l) => l.removeAttribute("aria-current"));
      link.setAttribute("aria-current", "true");
      queue(() => {
        if (!gantt) return;
        gantt.change_view_mode(viewMode);
        chartEl.querySelector(".gantt-container")?.setAttribute("data-view-mode", viewMode);
        gantt.scroll_current();
      });
    });
  });
  const actions = {
    today: () => queue(() => gantt && gantt.scroll_current()),
    expand: () => { collapsed = new Set(); localStorage.setItem(storageKey, "[]"); redraw(); },
    collapse: () => {
      collapsed = new Set(data.tasks.filter((t) => t.summary).map((t) => t.id));
      localStorage.setItem(storageKey, JSON.stringify([...collapsed]));
      redraw();
    },
    link: (button) => {
      linkMode = !linkMode;
      button.setAttribute("aria-pressed", String(linkMode));
      chartEl.classList.toggle("is-linking", linkMode);
      say(linkMode ? T.link_hint : "", linkMode ? "info" : "");
      redraw();
    },
    png: () => exportPng().catch(() => say(T.failed, "error")),
    pdf: () => exportPdf().catch(() => say(T.failed, "error")),
  };
  if (pagerEl) {
    pagerEl.querySelectorAll("[data-page]").forEach((button) => {
      button.addEventListener("click", () => {
        page += button.dataset.page === "next" ? 1 : -1;
        queue(() => render(true));
      });
    });
  }
  document.querySelectorAll("[data-action]").forEach((button) => {
    button.addEventListener("click", () => actions[button.dataset.action](button));
  });

  queue(() => render(false));
  window.tandemGantt = { get chart() { return gantt; }, reload: reload };
})();
