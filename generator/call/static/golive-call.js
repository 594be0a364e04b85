/* golive call: the browser side of `golive call`, a shared live runbook.

   Served by the call server on the runbook and log pages of the plan it serves. The page reads
   /_golive/state once, then follows /_golive/events (server-sent events named "update", each
   {from, entries, status}); log.yaml stays the one record. Actions (start a step, mark it done,
   an issue, a resolution, a decision, a note) are POSTed to /_golive/log, and nothing is shown
   as done until an update says so. Everything the log or a person wrote is set as text, never
   parsed as HTML: the page's DOM is built with createElement and textContent only.
   A rehearsal (`golive call --rehearsal NAME`, <body data-golive-rehearsal>): a banner says so,
   and T+0:00 is the rehearsal's start (status.origin), not the window's. */
(() => {
  "use strict";
  const BY_KEY = "golive:call:by"; // who this browser's user is, a person id of the plan
  const TEXT_MAX = 5000; // LONG_TEXT_MAX of log entries (generator/read/models/common.py)
  const SHOWN_ENTRIES = 200; // the panel's list of entries keeps the newest ones only
  const MESSAGE_MAX = 600; // a server's error text, shortened to stay readable
  const RETRY_MS = 3000;
  const ACK_WAIT_MS = 5000; // after a 201, a step's button waits this long for the update that shows it
  const KINDS = { issue: "Issue", resolution: "Resolution", decision: "Decision", note: "Note" };
  const SEVERITIES = ["sev1", "sev2", "sev3", "sev4"];

  // What the server told us, shared by every page shown (instant navigation keeps this script).
  const call = {
    state: null, // {plan, title, timezone, people, steps, ...} from /_golive/state
    steps: [], // the plan's steps, in the schedule's order
    stepById: new Map(), // id -> {step, number}
    severalDays: true, // whether times need their weekday
    entries: [], // log entries by index
    status: { steps: {}, forecast: null, origin: null },
    source: null, // the EventSource, opened once
    live: false,
    loading: false,
    acknowledged: new Map(), // "kind step" -> when the server took it (the update showing it may lag)
  };
  let view = null; // the current page's panel and controls
  let timer = null;

  const el = (tag, props = {}, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  };
  const text = (value, max = TEXT_MAX) => (typeof value === "string" ? value.slice(0, max) : "");
  const isObject = (value) => Boolean(value) && typeof value === "object" && !Array.isArray(value);

  function start() {
    clearInterval(timer);
    const article = document.querySelector("article.md-content__inner");
    if (!document.body.dataset.goliveCall || !article || document.getElementById("golive-now")) return;
    // The static live mode stands down in a call (the server renames its div): keep it out of sight.
    for (const still of document.querySelectorAll("#golive-live, #golive-call-live")) still.hidden = true;
    view = buildView(article);
    if (call.state) render();
    else load();
    timer = setInterval(tick, 1000);
  }

  // -- the server --------------------------------------------------------------------------------

  async function load() {
    if (call.loading) return;
    call.loading = true;
    try {
      const response = await fetch("/_golive/state", { cache: "no-store", credentials: "same-origin" });
      if (response.status === 403) throw new Error("this page is not joined to the call; open the join link again");
      if (!response.ok) throw new Error(`the call server answered ${response.status}`);
      const state = await response.json();
      if (!isObject(state) || !Array.isArray(state.steps) || !Array.isArray(state.people)) {
        throw new Error("the call server sent something else than a plan's state");
      }
      call.state = state;
      call.steps = state.steps.filter((s) => isObject(s) && typeof s.id === "string");
      call.stepById = new Map(call.steps.map((s, i) => [s.id, { step: s, number: i + 1 }]));
      call.severalDays = spansDates(call.steps);
      call.entries = [];
      applyEntries(state.entries);
      applyStatus(state.status);
      connect();
      render();
    } catch (error) {
      say(`Not connected: ${error.message}; trying again`, null, true);
      setTimeout(load, RETRY_MS);
    } finally {
      call.loading = false;
    }
  }

  function connect() {
    if (call.source && call.source.readyState !== EventSource.CLOSED) return;
    say("", null);
    const source = new EventSource("/_golive/events");
    call.source = source;
    source.addEventListener("open", () => {
      call.live = true;
      renderConnection();
    });
    source.addEventListener("error", () => {
      call.live = false;
      renderConnection();
      // The browser reconnects by itself unless the server refused the stream (then CLOSED):
      // then read the state again, which says why (a new join link) and reconnects when it can.
      if (source.readyState === EventSource.CLOSED) setTimeout(load, RETRY_MS);
    });
    source.addEventListener("update", (event) => {
      let update;
      try {
        update = JSON.parse(event.data);
      } catch {
        return; // not JSON: nothing to apply
      }
      if (!isObject(update)) return;
      const from = Number.isInteger(update.from) && update.from >= 0 ? update.from : 0;
      if (from > call.entries.length) {
        load(); // a gap: some entries never reached us, read the whole state again
        return;
      }
      // From `from` on, the update replaces what this page holds (an entry logged with an earlier
      // time moves the later ones); an entry sent twice (a reconnect) so never shows twice.
      call.entries.length = from;
      applyEntries(update.entries);
      applyStatus(update.status);
      call.live = true;
      // A rehearsal's first entry starts it: every planned time moved, read the plan again.
      if (rehearsal() && call.status.origin !== (rehearsal().started || null)) {
        load();
        return;
      }
      render();
    });
  }

  // Entries are kept by their index in log.yaml: an entry sent twice replaces itself.
  function applyEntries(entries) {
    if (!Array.isArray(entries)) return;
    for (const entry of entries) {
      if (isObject(entry) && Number.isInteger(entry.index) && entry.index >= 0 && entry.index < 100000) {
        call.entries[entry.index] = entry;
      }
    }
  }

  function applyStatus(status) {
    if (!isObject(status)) return;
    call.status = {
      steps: isObject(status.steps) ? status.steps : {},
      forecast: isObject(status.forecast) ? status.forecast : null,
      origin: typeof status.origin === "string" ? status.origin : null,
    };
  }

  // POST one entry; true once the server acknowledged it (201: it is in log.yaml).
  async function post(fields, button, where) {
    const by = view.picker.value;
    if (!by) {
      say("Pick who you are first (the “I am” list), then try again.", where, true);
      view.picker.setAttribute("aria-invalid", "true");
      view.picker.focus();
      return false;
    }
    const plan = document.body.dataset.goliveCall || text(call.state && call.state.plan);
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    say("Sending…", where);
    try {
      const response = await fetch("/_golive/log", {
        method: "POST",
        credentials: "same-origin",
        cache: "no-store",
        headers: { "X-Golive-Call": "1", "Content-Type": "application/json" },
        body: JSON.stringify({ plan, by, ...fields }),
      });
      let answer = null;
      try {
        answer = await response.json();
      } catch {
        answer = null;
      }
      if (response.status === 201) {
        if (fields.step) {
          // No second click on the same step before the update shows the first one.
          call.acknowledged.set(`${fields.kind} ${fields.step}`, Date.now());
          setTimeout(render, ACK_WAIT_MS);
        }
        say("Logged.", where);
        setTimeout(() => where.textContent === "Logged." && say("", where), 4000);
        return true;
      }
      say(refusal(response.status, answer), where, true);
      return false;
    } catch {
      say("Not sent: the call server does not answer. Check your connection and try again.", where, true);
      return false;
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
      render(); // the button's own state follows the log again
    }
  }

  function refusal(code, answer) {
    const error = isObject(answer) ? text(answer.error, MESSAGE_MAX) : "";
    const details = isObject(answer) && Array.isArray(answer.details) ? answer.details.map(detailText).filter(Boolean) : [];
    const said = [error, ...details].join(" · ").slice(0, MESSAGE_MAX);
    if (code === 422) return `Not logged: ${said || "the log refused the entry"}`;
    if (code === 403) return "Refused (403): this page is not joined to the call any more; open the join link again.";
    if (code === 413) return "Refused (413): the entry is too long.";
    return `Not logged (${code})${said ? `: ${said}` : ""}`;
  }

  function detailText(detail) {
    if (typeof detail === "string") return text(detail, MESSAGE_MAX);
    if (!isObject(detail)) return "";
    const message = text(detail.message, MESSAGE_MAX);
    const hint = text(detail.hint, MESSAGE_MAX);
    return hint ? `${message} (${hint})` : message;
  }

  // -- time in the plan's zone -----------------------------------------------------------------------

  const formatters = new Map();
  function formatter(zone) {
    if (!formatters.has(zone)) {
      let made;
      try {
        made = new Intl.DateTimeFormat("en-GB", {
          timeZone: zone, hourCycle: "h23", weekday: "short", hour: "2-digit", minute: "2-digit", second: "2-digit",
        });
      } catch {
        made = null; // an unknown zone
      }
      formatters.set(zone, made);
    }
    return formatters.get(zone);
  }
  function planZone() {
    const zone = text(call.state && call.state.timezone, 100);
    return zone && formatter(zone) ? zone : "UTC";
  }
  function wall(t, zone = planZone()) {
    const out = {};
    for (const part of formatter(zone).formatToParts(new Date(t))) out[part.type] = part.value;
    return out;
  }
  const when = (iso) => (typeof iso === "string" ? Date.parse(iso) : NaN);
  // "14:03", or "Sun 01:45" when the plan's steps span more than one date (as the schedule shows times).
  function clockText(t, zone = planZone()) {
    if (!Number.isFinite(t)) return "";
    const w = wall(t, zone);
    return `${call.severalDays ? `${w.weekday} ` : ""}${w.hour}:${w.minute}`;
  }
  function spansDates(planned) {
    const times = planned.flatMap((s) => [when(s.planned_start), when(s.planned_end)]).filter(Number.isFinite);
    if (!times.length) return true;
    const date = (t) => new Intl.DateTimeFormat("en-CA", { timeZone: planZone() }).format(new Date(t));
    return date(Math.min(...times)) !== date(Math.max(...times));
  }
  function hm(minutes) {
    const m = Math.floor(Math.abs(minutes));
    return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}`;
  }
  // "in 22:13", "in 1:05:00", or `past` ("passed", "due now") once t has come.
  function countdown(t, now, past = "passed") {
    if (!Number.isFinite(t)) return "";
    const seconds = Math.round((t - now) / 1000);
    if (seconds <= 0) return past;
    const h = Math.floor(seconds / 3600);
    const mm = String(Math.floor((seconds % 3600) / 60)).padStart(h ? 2 : 1, "0");
    const ss = String(seconds % 60).padStart(2, "0");
    return h ? `in ${h}:${mm}:${ss}` : `in ${mm}:${ss}`;
  }

  // -- the plan ---------------------------------------------------------------------------------------

  const steps = () => call.steps;
  const stepOf = (id) => (call.stepById.get(id) || {}).step;
  const person = (id) => (call.state ? call.state.people.find((p) => isObject(p) && p.id === id) : undefined);
  const nameOf = (id) => text((person(id) || {}).name, 200) || text(id, 63);
  const initialsOf = (id) => text((person(id) || {}).initials, 20) || text(id, 63);
  const stepStatus = (id) => (isObject(call.status.steps[id]) ? call.status.steps[id] : {});
  const isDone = (id) => Boolean(stepStatus(id).done);
  const isStarted = (id) => Boolean(stepStatus(id).started);
  const entries = () => call.entries.filter(Boolean);
  // The rehearsal this call is ({name, started, file}), or null for the real call.
  const rehearsal = () => (call.state && isObject(call.state.rehearsal) ? call.state.rehearsal : null);
  // T+0: a rehearsal's start (none before its first entry); else the window start the runbook's T
  // column counts from, else the first planned start (the log page).
  function planStart() {
    if (rehearsal() || document.body.dataset.goliveRehearsal) return when(call.status.origin);
    const live = document.getElementById("golive-call-live") || document.getElementById("golive-live");
    const windowStart = live ? when(live.dataset.windowStart) : NaN;
    if (Number.isFinite(windowStart)) return windowStart;
    const starts = steps().map((s) => when(s.planned_start)).filter(Number.isFinite);
    return starts.length ? Math.min(...starts) : NaN;
  }
  function stepLabel(step) {
    const number = (call.stepById.get(step.id) || {}).number;
    return `#${number} ${text(step.title, 500) || step.id}`;
  }
  function openIssues() {
    const resolved = new Set(entries().filter((e) => e.kind === "resolution").map((e) => e.resolves));
    return entries().filter((e) => e.kind === "issue" && typeof e.id === "string" && !resolved.has(e.id));
  }
  // An id for a new issue, from its text: "db-lock-timeout", or "issue-3" when the text has no letters.
  function issueId(words) {
    const taken = new Set(entries().map((e) => e.id));
    const base = words.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "") ||
      `issue-${entries().filter((e) => e.kind === "issue").length + 1}`;
    let id = base;
    for (let n = 2; taken.has(id); n += 1) id = `${base}-${n}`;
    return id;
  }

  // -- the panel ------------------------------------------------------------------------------------

  function buildView(article) {
    const v = {};
    v.clock = el("time", { className: "golive-call__clock" });
    v.zone = el("span", { className: "golive-call__zone" });
    v.ownClock = el("span", { className: "golive-call__own" });
    v.offset = el("span", { className: "golive-call__offset", title: "Time since the planned start" });
    v.connection = el("span", { className: "golive-call__connection" });
    v.picker = el("select", { className: "golive-call__picker", id: "golive-call-by" });
    v.picker.append(el("option", { value: "", textContent: "— pick —" }));
    v.picker.addEventListener("change", () => {
      try {
        localStorage.setItem(BY_KEY, v.picker.value);
      } catch {
        /* no storage: the choice lasts for this page */
      }
      v.picker.removeAttribute("aria-invalid");
    });
    v.rehearsal = el("p", { className: "golive-call__rehearsal", hidden: true });
    v.alarm = el("div", { className: "golive-call__alarm", hidden: true });
    v.alarm.setAttribute("role", "alert");
    v.forecast = el("p", { className: "golive-call__forecast" });
    v.countdowns = el("ul", { className: "golive-call__countdowns" });
    v.progress = el("ul", { className: "golive-call__list golive-call__progress" });
    v.next = el("ul", { className: "golive-call__list golive-call__next" });
    v.message = el("p", { className: "golive-call__message" });
    v.message.setAttribute("role", "status");
    v.entries = el("ol", { className: "golive-call__entries", reversed: true });
    v.form = buildForm(v);
    const heading = (words) => el("h2", { className: "golive-call__heading", textContent: words });
    v.label = el("span", { className: "golive-call__label", textContent: "Live call" });
    v.root = el("section", { id: "golive-now", className: "golive-call" },
      v.rehearsal,
      el("div", { className: "golive-call__bar" },
        v.label,
        el("span", {}, v.clock, " ", v.zone), v.ownClock, v.offset, v.connection,
        el("label", { className: "golive-call__who" }, "I am ", v.picker)),
      v.alarm, v.forecast, v.countdowns,
      el("div", { className: "golive-call__columns" },
        el("div", {}, heading("In progress"), v.progress),
        el("div", {}, heading("Next"), v.next)),
      v.form, v.message,
      el("details", { className: "golive-call__log", open: Boolean(document.querySelector(".golive-cards--timeline")) },
        el("summary", { textContent: "Log entries" }), v.entries));
    v.root.setAttribute("aria-label", "The call now");
    const title = article.querySelector("h1");
    const after = article.querySelector(".golive-plan-links") || title;
    if (after) after.after(v.root);
    else article.prepend(v.root);
    v.rows = buildRows(article);
    renderRehearsal(v);
    return v;
  }

  function buildForm(v) {
    v.kind = el("select", { className: "golive-call__kind" });
    for (const [value, label] of Object.entries(KINDS)) v.kind.append(el("option", { value, textContent: label }));
    v.severity = el("select", { className: "golive-call__severity" });
    for (const value of SEVERITIES) v.severity.append(el("option", { value, textContent: value }));
    v.severity.value = "sev3";
    v.resolves = el("select", { className: "golive-call__resolves" });
    v.text = el("textarea", { className: "golive-call__text", rows: 2, maxLength: TEXT_MAX, required: true });
    v.text.setAttribute("aria-label", "What happened");
    v.send = el("button", { type: "submit", className: "golive-call__button golive-call__send", textContent: "Log it" });
    v.formMessage = el("span", { className: "golive-call__form-message" });
    v.formMessage.setAttribute("role", "status");
    const severityLabel = el("label", {}, "Severity ", v.severity);
    const resolvesLabel = el("label", {}, "Resolves ", v.resolves);
    const form = el("form", { className: "golive-call__form" },
      el("label", {}, "Log ", v.kind), severityLabel, resolvesLabel, v.text, v.send, v.formMessage);
    const shape = () => {
      severityLabel.hidden = v.kind.value !== "issue";
      resolvesLabel.hidden = v.kind.value !== "resolution";
      v.text.placeholder = { issue: "What is wrong", resolution: "What fixed it", decision: "What was decided", note: "Note" }[v.kind.value];
    };
    v.kind.addEventListener("change", shape);
    shape();
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const kind = v.kind.value;
      const words = v.text.value.trim();
      if (!words) return say("Write what to log first.", v.formMessage, true);
      const fields = { kind, text: words };
      if (kind === "issue") Object.assign(fields, { severity: v.severity.value, id: issueId(words) });
      if (kind === "resolution") {
        if (!v.resolves.value) return say("Pick the open issue this resolves.", v.formMessage, true);
        fields.resolves = v.resolves.value;
      }
      if (await post(fields, v.send, v.formMessage)) v.text.value = "";
    });
    return form;
  }

  // One Start and one Done button per row of the schedule, found by its "#step-<id>" link.
  function buildRows(article) {
    const rows = new Map();
    const table = article.querySelector(".golive-cards--runbook table") || article.querySelector(".golive-schedule table");
    if (!table) return rows;
    const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    const column = (name, fallback) => (heads.includes(name) ? heads.indexOf(name) : fallback);
    const [done, actual, initials] = [column("Done", 7), column("Actual", 8), column("Initials", 9)];
    for (const row of table.querySelectorAll("tbody tr")) {
      const link = row.querySelector('a[href^="#step-"]');
      const cells = row.children;
      if (!link || !cells[done]) continue;
      const step = link.getAttribute("href").slice("#step-".length);
      const title = link.textContent.trim();
      const startButton = el("button", { type: "button", className: "golive-call__button golive-call__start", textContent: "Start" });
      startButton.dataset.startStep = step;
      startButton.setAttribute("aria-label", `Start: ${title}`);
      const doneButton = el("button", { type: "button", className: "golive-call__button golive-call__done", textContent: "Done" });
      doneButton.dataset.step = step;
      doneButton.setAttribute("aria-label", `Done: ${title}`);
      const message = el("span", { className: "golive-call__row-message" });
      message.setAttribute("role", "status");
      startButton.addEventListener("click", () => post({ kind: "step-started", step }, startButton, message));
      doneButton.addEventListener("click", () => post({ kind: "step-done", step }, doneButton, message));
      cells[done].replaceChildren(el("span", { className: "golive-call-controls" }, startButton, doneButton, message));
      rows.set(step, { row, startButton, doneButton, actual: cells[actual], initials: cells[initials] });
    }
    return rows;
  }

  // A message beside the control that was used (the panel's own line otherwise); refusals stand out.
  function say(message, where, refused = false) {
    if (!view) return;
    const place = where || view.message;
    place.textContent = message;
    place.classList.toggle("golive-call__refused", refused);
  }

  // -- showing the call ------------------------------------------------------------------------------

  function render() {
    if (!view || !call.state) return;
    renderPicker();
    renderRows();
    renderNext();
    renderForecast();
    renderEntries();
    renderResolves();
    renderConnection();
    renderRehearsal(view);
    tick();
  }

  // A rehearsal is said at the top of the panel, so that nobody takes it for the real call.
  function renderRehearsal(v) {
    const given = rehearsal();
    const name = text(given ? given.name : document.body.dataset.goliveRehearsal, 63);
    v.root.classList.toggle("golive-call--rehearsal", Boolean(name));
    v.rehearsal.hidden = !name;
    if (!name) return;
    v.label.textContent = `Rehearsal ${name}`;
    v.offset.title = "Time since the rehearsal's start";
    const file = given ? text(given.file, 300) : "";
    const started = given ? when(given.started) : NaN;
    const start = Number.isFinite(started)
      ? `T+0:00 is its start, ${clockText(started)}`
      : "its first entry starts it (T+0:00)";
    v.rehearsal.textContent = `Rehearsal ${name}, not the real call: entries go to ${file || "the rehearsal's file"}; ${start}.`;
  }

  function renderPicker() {
    const picker = view.picker;
    if (picker.options.length > 1) return;
    for (const p of call.state.people) {
      if (!isObject(p) || typeof p.id !== "string") continue;
      picker.append(el("option", { value: p.id, textContent: nameOf(p.id) }));
    }
    let remembered = "";
    try {
      remembered = localStorage.getItem(BY_KEY) || "";
    } catch {
      remembered = "";
    }
    if ([...picker.options].some((o) => o.value === remembered)) picker.value = remembered;
  }

  function renderConnection() {
    if (!view) return;
    view.connection.textContent = call.live ? "● live" : "○ reconnecting…";
    view.connection.classList.toggle("golive-call__connection--down", !call.live);
  }

  function renderRows() {
    const latest = new Map(); // "kind step" -> the latest entry of that kind about that step (who did it)
    for (const e of entries()) latest.set(`${e.kind} ${e.step}`, e);
    for (const [step, r] of view.rows) {
      const status = stepStatus(step);
      const done = isDone(step);
      const started = isStarted(step);
      r.row.classList.toggle("golive-call__row--done", done);
      r.row.classList.toggle("golive-call__row--started", started && !done);
      const waiting = (kind) => Date.now() - (call.acknowledged.get(`${kind} ${step}`) || -Infinity) < ACK_WAIT_MS;
      if (!r.startButton.hasAttribute("aria-busy")) r.startButton.disabled = started || done || waiting("step-started");
      if (!r.doneButton.hasAttribute("aria-busy")) r.doneButton.disabled = done || waiting("step-done");
      r.startButton.textContent = started || done ? "Started" : "Start";
      r.doneButton.textContent = done ? "Done ✓" : "Done";
      r.doneButton.setAttribute("aria-pressed", String(done));
      const entry = done || started ? latest.get(`${done ? "step-done" : "step-started"} ${step}`) : null;
      const t = when(done ? status.done : status.started);
      if (r.actual) {
        r.actual.textContent = done || started ? `${done ? "" : "started "}${clockText(t)}` : "";
        r.actual.title = done || started ? `${done ? "Done" : "Started"} at ${clockText(t)}` : "";
      }
      if (r.initials) {
        r.initials.textContent = entry ? initialsOf(entry.by) : "";
        r.initials.title = entry ? nameOf(entry.by) : "";
      }
    }
  }

  // Steps whose dependencies are all done and that have not started: who to call next.
  function renderNext() {
    const next = steps().filter((s) => !isStarted(s.id) && !isDone(s.id) &&
      (Array.isArray(s.depends_on) ? s.depends_on : []).every((d) => isDone(d)));
    view.next.replaceChildren(...next.slice(0, 6).map((s) => {
      const owner = person(s.owner);
      const phone = owner ? text(owner.phone, 60) : "";
      const item = el("li", {},
        el("span", { className: "golive-call__step", textContent: stepLabel(s) }), " ",
        el("span", { className: "golive-call__who-owns", textContent: `${nameOf(s.owner)} · planned ${clockText(when(s.planned_start))}` }));
      if (phone) {
        const dial = el("a", { className: "golive-call__tel", href: `tel:${phone.replace(/[^0-9+]/g, "")}`, textContent: `☎ ${phone}` });
        item.append(" ", dial);
      }
      return item;
    }));
    if (!next.length) view.next.append(el("li", { className: "golive-call__none", textContent: steps().every((s) => isDone(s.id)) ? "All steps done" : "Nothing ready: waiting on steps in progress" }));
  }

  // In progress: elapsed against the planned duration, every second, late ones marked.
  function renderProgress(now) {
    const running = steps().filter((s) => isStarted(s.id) && !isDone(s.id));
    view.progress.replaceChildren(...running.map((s) => {
      const started = when(stepStatus(s.id).started);
      const elapsed = Number.isFinite(started) ? Math.max(0, Math.floor((now - started) / 60000)) : 0;
      const planned = Number.isFinite(s.duration_minutes) ? s.duration_minutes : NaN;
      const late = Number.isFinite(planned) && elapsed > planned;
      const item = el("li", { className: late ? "golive-call__late" : "" },
        el("span", { className: "golive-call__step", textContent: stepLabel(s) }), " ",
        el("span", { textContent: `${nameOf(s.owner)} · started ${clockText(started)} · ${elapsed} of ${Number.isFinite(planned) ? planned : "?"} min` }));
      if (late) item.append(" ", el("strong", { className: "golive-call__late-mark", textContent: `late by ${elapsed - planned} min` }));
      return item;
    }));
    if (!running.length) view.progress.append(el("li", { className: "golive-call__none", textContent: "No step in progress" }));
  }

  function renderForecast() {
    const f = call.status.forecast;
    const alarm = f ? text(f.alarm, 500) : "";
    let line = f ? text(f.line, 1000) : "";
    // The terminal's line ends with the alarm; here the alarm has a box of its own.
    if (alarm && line.endsWith(`; ALARM: ${alarm}`)) line = line.slice(0, -`; ALARM: ${alarm}`.length);
    view.forecast.textContent = line;
    view.forecast.hidden = !line;
    view.alarm.textContent = alarm;
    view.alarm.hidden = !alarm;
  }

  // Countdowns to the next gate, the point of no return and the latest rollback start.
  function renderCountdowns(now) {
    const f = call.status.forecast;
    const items = [];
    if (f) {
      if (isObject(f.next_gate)) {
        const before = stepOf(f.next_gate.before);
        items.push([`Gate ${text(f.next_gate.id, 63)}${before ? ` (before ${stepLabel(before)})` : ""}`, when(f.next_gate.at), "due now"]);
      }
      // The gate and the point of no return are still ahead until their step starts: once their
      // expected time has come they are due, not passed; the latest rollback start can pass.
      items.push(["Point of no return", when(f.point_of_no_return), "due now"]);
      items.push(["Latest rollback start", when(f.latest_rollback_start), "passed"]);
    }
    view.countdowns.replaceChildren(...items.filter(([, t]) => Number.isFinite(t)).map(([label, t, past]) =>
      el("li", { className: t - now < 15 * 60000 ? "golive-call__soon" : "" },
        el("span", { textContent: `${label} ${clockText(t)} ` }),
        el("strong", { className: "golive-call__countdown", textContent: countdown(t, now, past) }))));
  }

  function renderEntries() {
    const shown = entries().slice(-SHOWN_ENTRIES).reverse();
    view.entries.replaceChildren(...shown.map((e) => {
      const step = stepOf(e.step);
      const what = [text(e.kind, 30), text(e.severity, 10), e.id ? `(${text(e.id, 63)})` : "",
        e.resolves ? `resolves ${text(e.resolves, 63)}` : "", step ? stepLabel(step) : text(e.step, 63)].filter(Boolean).join(" ");
      const item = el("li", { className: `golive-call__entry golive-call__entry--${text(e.kind, 30).replace(/[^a-z-]/g, "")}` },
        el("time", { textContent: clockText(when(e.at_utc)) || text(e.at, 40) }), " ",
        el("span", { className: "golive-call__by", textContent: initialsOf(e.by), title: nameOf(e.by) }), " ",
        el("span", { className: "golive-call__kind-text", textContent: what }));
      if (e.text) item.append(" ", el("span", { className: "golive-call__entry-text", textContent: text(e.text) }));
      return item;
    }));
    view.entries.start = entries().length;
  }

  function renderResolves() {
    const open = openIssues();
    const chosen = view.resolves.value;
    view.resolves.replaceChildren(el("option", { value: "", textContent: open.length ? "— open issue —" : "no open issue" }),
      ...open.map((e) => el("option", { value: e.id, textContent: `${text(e.severity, 10)} ${text(e.text, 80)}`.trim() })));
    if (open.some((e) => e.id === chosen)) view.resolves.value = chosen;
  }

  // Every second: the clocks, the T-offset, countdowns and elapsed times.
  function tick() {
    if (!view || !document.contains(view.root)) return;
    const now = Date.now();
    const zone = planZone();
    const w = wall(now, zone);
    view.clock.textContent = `${w.weekday} ${w.hour}:${w.minute}:${w.second}`;
    view.clock.dateTime = new Date(now).toISOString();
    view.zone.textContent = zone;
    const own = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    view.ownClock.textContent = own && own !== zone && formatter(own) ? `your time ${clockText(now, own)} ${own}` : "";
    view.ownClock.hidden = !view.ownClock.textContent;
    const start = planStart();
    view.offset.textContent = Number.isFinite(start) ? `T${now < start ? "-" : "+"}${hm((now - start) / 60000)}` : "";
    if (!call.state) return;
    renderProgress(now);
    renderCountdowns(now);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(start);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
