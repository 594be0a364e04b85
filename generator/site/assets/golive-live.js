/* golive live mode, for the runbook during the call: a clock in the plan's zone, the T-offset,
   tick boxes in the schedule that record when and by whom a step was done, and an export of
   those ticks as entries for plans/<id>/log.yaml (SPEC 3.4). State lives in this browser's
   localStorage only: nothing is sent anywhere, and pages without #golive-live are left alone.
   Ticks are kept per plan revision ("golive:live:<plan>:<revision>" -> {changed, events}), so
   opening another revision (another published version, a copy) never loses them; a revision
   is forgotten 30 days after its last change, or by the Clear button.
   A rehearsal: a name in the bar's "Rehearsal" field keeps that rehearsal's ticks apart
   ("...:<revision>@<name>"), counts T from its first tick, and exports a whole
   plans/<id>/rehearsals/<name>.yaml (`started:` = the first tick, then `entries:`). */
(() => {
  "use strict";
  let timer = null;
  const PREFIX = "golive:live:";
  const KEEP_MS = 30 * 24 * 3600e3; // a revision's ticks are dropped 30 days after their last change
  const REHEARSAL_KEY = "golive:live-rehearsal:"; // + plan: the rehearsal name last used for it
  const REHEARSAL_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/; // a slug, as golive takes for rehearsals/<name>.yaml
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  function start() {
    clearInterval(timer); // a page shown by instant navigation replaces the previous one
    const root = document.getElementById("golive-live");
    if (!root || root.dataset.ready) return;
    root.dataset.ready = "1";
    const plan = root.dataset.plan || "";
    const revision = root.dataset.revision || "";
    const people = (root.dataset.people || "").split(/\s+/).filter(Boolean);
    const names = personNames(root.dataset.peopleNames); // id -> [name, short name]
    const nameOf = (id) => (names[id] ? names[id][0] : id);
    const shortOf = (id) => (names[id] ? names[id][1] : id);
    const windowStart = Date.parse(root.dataset.windowStart || "");
    // "weekday" or "date" when the window covers several dates: the clock then says which day.
    const clockDay = root.dataset.clockDay || "";
    const prefix = `${PREFIX}${plan}:`;
    let rehearsal = ""; // the rehearsal's name; "" for the real call
    let key = prefix + revision; // where this call's (or rehearsal's) ticks are kept
    const keyFor = (name) => prefix + revision + (name ? `@${name}` : "");
    let zone = root.dataset.zone || "UTC";
    let parts;
    let warning = "";
    try {
      parts = formatter(zone);
    } catch { // an unknown zone: still usable, in UTC, and says so
      warning = `Unknown time zone ${zone}: times are UTC`;
      zone = "UTC";
      parts = formatter(zone);
    }

    // -- the live bar (built with DOM calls: ids and titles are never parsed as HTML) --
    const el = (tag, props = {}, ...children) => {
      const node = Object.assign(document.createElement(tag), props);
      node.append(...children);
      return node;
    };
    // The call is over (completed, rolled back): the bar shows what log.yaml says, no clock, no ticks.
    if (root.dataset.outcome) {
      const outcome = root.dataset.outcome === "rolled-back" ? "Rolled back" : "Completed";
      root.append(
        el("div", { className: "golive-live__bar golive-live__bar--over" },
          el("span", { className: "golive-live__label", textContent: outcome }),
          el("span", { className: "golive-live__result", textContent: root.dataset.result || "" }),
          el("a", { href: "log.html", textContent: "Log" })));
      return;
    }
    const clock = el("time", { className: "golive-live__clock" });
    const offset = el("span", { className: "golive-live__offset" });
    const select = el("select", { className: "golive-live__by" }, el("option", { value: "", textContent: "—" }));
    for (const id of people) {
      const text = names[id] ? `${nameOf(id)} (${shortOf(id)})` : id;
      select.append(el("option", { value: id, textContent: text }));
    }
    const rehearsalField = el("input", {
      type: "text", className: "golive-live__rehearsal", maxLength: 63, size: 10, placeholder: "the call",
      spellcheck: false, autocomplete: "off",
    });
    rehearsalField.title = "A rehearsal's name (e.g. mock-3): its ticks are kept apart and exported as its own file; empty: the real call";
    const copy = el("button", { type: "button", className: "golive-live__button", textContent: "Copy log entries" });
    const clear = el("button", { type: "button", className: "golive-live__button", textContent: "Clear" });
    const status = el("span", { className: "golive-live__status" });
    status.setAttribute("role", "status");
    const exported = el("textarea", { className: "golive-live__export", readOnly: true, hidden: true, rows: 6 });
    exported.setAttribute("aria-label", "Log entries to append under entries: in log.yaml");
    const label = el("span", { className: "golive-live__label", textContent: "Live" });
    root.append(
      el("div", { className: "golive-live__bar" },
        label,
        el("span", {}, clock, " ", el("span", { className: "golive-live__zone", textContent: zone })),
        offset,
        el("label", {}, "Your id ", select),
        el("label", {}, "Rehearsal ", rehearsalField),
        copy, clear, status),
      exported);

    // -- storage: every call may fail (storage disabled, quota), the page must still work --
    const store = {
      get(name) { try { return localStorage.getItem(name); } catch { return null; } },
      set(name, value) { try { localStorage.setItem(name, value); return true; } catch { return false; } },
    };
    const keys = () => { try { return Object.keys(localStorage); } catch { return []; } };
    // Other revisions' ticks (of any plan) stay until 30 days after their last change.
    for (const name of keys()) {
      if (name.startsWith(PREFIX) && name !== key && Date.now() - lastChange(store.get(name)) > KEEP_MS) {
        try { localStorage.removeItem(name); } catch { /* no storage */ }
      }
    }
    // The rehearsal last named for this plan (cleared by emptying the field).
    const lastRehearsal = store.get(REHEARSAL_KEY + plan) || "";
    if (REHEARSAL_NAME.test(lastRehearsal)) {
      rehearsal = lastRehearsal;
      rehearsalField.value = rehearsal;
      key = keyFor(rehearsal);
    }
    rehearsalField.addEventListener("change", () => {
      const name = rehearsalField.value.trim();
      if (name && !REHEARSAL_NAME.test(name)) {
        rehearsalField.setAttribute("aria-invalid", "true");
        say("A rehearsal's name is lowercase letters, digits and '-' (e.g. mock-3)");
        return;
      }
      rehearsalField.removeAttribute("aria-invalid");
      rehearsalField.value = name;
      if (name === rehearsal) return;
      rehearsal = name;
      store.set(REHEARSAL_KEY + plan, name);
      key = keyFor(name);
      events = load();
      pending.clear();
      exported.value = "";
      exported.hidden = true;
      showRehearsal();
      render();
      update();
      say();
    });
    const remembered = store.get("golive:by");
    if (remembered && people.includes(remembered)) select.value = remembered;
    const pending = new Map(); // ticks made before anyone picked "Your id": step -> time of the click
    select.addEventListener("change", () => {
      store.set("golive:by", select.value);
      select.removeAttribute("aria-invalid");
      if (!select.value) return;
      const waiting = [...pending];
      pending.clear();
      for (const [step, t] of waiting) tick(step, true, t);
    });

    // -- the schedule: one tick box per step row, found by its "#step-<id>" link --
    const rows = new Map(); // step id -> {box, actual, initials, row}
    const table = document.querySelector(".golive-schedule table");
    if (table) {
      const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
      const column = (name, fallback) => (heads.includes(name) ? heads.indexOf(name) : fallback);
      const [done, actual, initials] = [column("Done", 7), column("Actual", 8), column("Initials", 9)];
      for (const row of table.querySelectorAll("tbody tr")) {
        const link = row.querySelector('a[href^="#step-"]');
        const cells = row.children;
        if (!link || !cells[done] || !cells[initials]) continue;
        const step = link.getAttribute("href").slice("#step-".length);
        const box = el("input", { type: "checkbox", className: "golive-live__done" });
        box.setAttribute("aria-label", `Done: ${link.textContent.trim()}`);
        box.addEventListener("change", () => tick(step, box.checked));
        cells[done].replaceChildren(box);
        rows.set(step, { box, actual: cells[actual], initials: cells[initials], row });
      }
    }

    let events = load();
    function load() {
      try {
        const data = stored(store.get(key)).events;
        return Array.isArray(data)
          ? data.filter((e) => e && rows.has(e.step) && typeof e.at === "string" && typeof e.by === "string" &&
              Number.isFinite(e.t))
          : [];
      } catch {
        return []; // garbage in storage: start empty rather than break the page
      }
    }
    function save() {
      const saved = store.set(key, JSON.stringify({ changed: Date.now(), events }));
      say(saved ? "" : "Not saved: this browser blocks local storage");
    }
    function tick(step, checked, t = Date.now()) {
      if (checked && !select.value && people.length) {
        // Nobody said who is ticking: ask, and record the tick once someone is picked.
        pending.set(step, t);
        render();
        select.setAttribute("aria-invalid", "true");
        select.focus();
        say("Who is ticking? Pick your id: the tick is recorded then");
        return;
      }
      pending.delete(step);
      events = events.filter((e) => e.step !== step);
      if (checked) events.push({ step, kind: "step-done", at: logTime(t), t, by: select.value });
      save();
      render();
    }
    function render() {
      const byStep = new Map(events.map((e) => [e.step, e]));
      for (const [step, cells] of rows) {
        const event = byStep.get(step);
        cells.box.checked = Boolean(event);
        cells.row.classList.toggle("golive-live__row--done", Boolean(event));
        cells.actual.textContent = !event ? "" : Number.isFinite(event.t) ? dayOf(wall(event.t)) + event.at.slice(11, 16)
          : event.at.slice(11, 16);
        cells.actual.title = event ? event.at : "";
        // Initials (or a short name) fit the narrow column; the full name is the cell's tooltip.
        cells.initials.textContent = event ? shortOf(event.by) : "";
        cells.initials.title = event ? nameOf(event.by) : "";
      }
    }
    function say(message) {
      const done = `${events.length} of ${rows.size} steps done`;
      status.textContent = message || (rehearsal ? `Rehearsal ${rehearsal}: ${done}` : done);
    }
    function showRehearsal() {
      root.classList.toggle("golive-live--rehearsal", Boolean(rehearsal));
      label.textContent = rehearsal ? `Rehearsal ${rehearsal}` : "Live";
      exported.setAttribute("aria-label", rehearsal ? `The file plans/${plan}/rehearsals/${rehearsal}.yaml`
        : "Log entries to append under entries: in log.yaml");
    }

    // The entries as YAML, two-space indent as in log.yaml; ids are slugs, times plain text. For a
    // rehearsal, its whole file: the first tick is its start.
    function exportYaml() {
      const sorted = [...events].sort((a, b) => a.t - b.t);
      const entries = sorted
        .map((e) => `  - at: ${e.at}\n    by: ${e.by}\n    kind: step-done\n    step: ${e.step}\n`)
        .join("");
      if (!rehearsal || !sorted.length) return entries;
      return "# yaml-language-server: $schema=../../../schemas/rehearsal.schema.json\n" +
        `started: ${sorted[0].at}\nentries:\n${entries}`;
    }
    // T+0:00: the window start, or a rehearsal's first tick (NaN before it).
    function origin() {
      if (!rehearsal) return windowStart;
      return events.length ? Math.min(...events.map((e) => e.t)) : NaN;
    }
    copy.addEventListener("click", async () => {
      const text = exportYaml();
      exported.value = text;
      exported.rows = Math.min(Math.max(text.split("\n").length - 1, 2), 16);
      exported.hidden = false;
      exported.select();
      if (!text) return say("Nothing ticked yet");
      const count = `${events.length} ${events.length === 1 ? "entry" : "entries"}`;
      const where = rehearsal ? `: save it as plans/${plan}/rehearsals/${rehearsal}.yaml` : " for log.yaml";
      try {
        await navigator.clipboard.writeText(text);
        say(`Copied ${count}${where}`);
      } catch { // no clipboard (plain http, permission): the selected text area still has them
        say(`Copy the ${count} below by hand${where}`);
      }
    });
    clear.addEventListener("click", () => {
      // Other revisions of the same run: the call's, or this rehearsal's (never another rehearsal's).
      const sameRun = (name) => (rehearsal ? name.endsWith(`@${rehearsal}`) : !name.includes("@"));
      const others = keys().filter((name) => name.startsWith(prefix) && name !== key && sameRun(name));
      if (!events.length && !others.length) return;
      const also = others.length
        ? ` This also clears the ticks kept for ${others.length} other revision${others.length === 1 ? "" : "s"} of this plan.`
        : "";
      const which = rehearsal ? `of rehearsal ${rehearsal}` : "of this runbook";
      if (!window.confirm(`Clear every tick ${which} in this browser?${also}`)) return;
      for (const name of others) {
        try { localStorage.removeItem(name); } catch { /* no storage */ }
      }
      events = [];
      pending.clear();
      exported.value = "";
      exported.hidden = true;
      save();
      render();
    });
    // Another tab of the same runbook ticked something: follow it.
    window.addEventListener("storage", (event) => {
      if (event.key !== key) return; // the ticks shown: this call's, or this rehearsal's
      events = load();
      render();
      say();
    });

    // -- time in the plan's zone --
    function wall(t) { // {year, month, day, hour, minute, second} as two-digit strings (year: four)
      const out = {};
      for (const part of parts.formatToParts(new Date(t))) out[part.type] = part.value;
      return out;
    }
    // The day before a time, as golive shows it (Schedule.clock): "Sun ", "Sun 3 Jan " or nothing.
    function dayOf(w) {
      if (clockDay === "date") return `${w.weekday} ${+w.day} ${MONTHS[w.month - 1]} `;
      return clockDay === "weekday" ? `${w.weekday} ` : "";
    }
    function minuteText(t) {
      const w = wall(t);
      return `${w.year}-${w.month}-${w.day} ${w.hour}:${w.minute}`;
    }
    function utcOffset(t) { // minutes east of UTC at instant t
      const w = wall(t);
      return Math.round((Date.UTC(+w.year, w.month - 1, +w.day, +w.hour, +w.minute, +w.second) -
        Math.floor(t / 1000) * 1000) / 60000);
    }
    // "YYYY-MM-DD HH:MM", read by golive in the plan's zone. When the clocks go back, that
    // wall time happens twice and golive would take the first; then the UTC offset is added.
    function logTime(t) {
      const text = minuteText(t);
      const own = utcOffset(t);
      for (const near of [utcOffset(t - 3 * 3600e3), utcOffset(t + 3 * 3600e3)]) {
        const other = t + (own - near) * 60000;
        if (other !== t && minuteText(other) === text) {
          const m = Math.abs(own);
          const pad = (n) => String(n).padStart(2, "0");
          return `${text}${own < 0 ? "-" : "+"}${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
        }
      }
      return text;
    }
    function update() {
      const now = Date.now();
      const w = wall(now);
      clock.textContent = `${dayOf(w)}${w.hour}:${w.minute}:${w.second}`;
      clock.dateTime = new Date(now).toISOString();
      const start = origin();
      offset.title = rehearsal ? "Time since the rehearsal's first tick" : "Time since the window start";
      if (Number.isNaN(start)) {
        offset.textContent = "T?";
        if (rehearsal) offset.title = "T+0:00 is the rehearsal's first tick";
        return;
      }
      const minutes = Math.floor(Math.abs(now - start) / 60000);
      offset.textContent = `T${now < start ? "-" : "+"}${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}`;
    }

    showRehearsal();
    render();
    say(warning);
    update();
    timer = setInterval(update, 1000);
    window.goliveLive = { exportYaml };
  }

  // The page's {id: [name, short name]}; anything else (an older page, garbage) is no names.
  function personNames(text) {
    try {
      const data = JSON.parse(text || "{}");
      if (!data || typeof data !== "object" || Array.isArray(data)) return {};
      const out = Object.create(null);
      for (const [id, pair] of Object.entries(data)) {
        if (Array.isArray(pair) && typeof pair[0] === "string" && typeof pair[1] === "string" && pair[1]) out[id] = pair;
      }
      return out;
    } catch {
      return {};
    }
  }

  // What a revision's key holds: {changed, events}; a bare list of events before golive kept `changed`.
  function stored(text) {
    try {
      const data = JSON.parse(text || "[]");
      if (Array.isArray(data)) return { changed: NaN, events: data };
      return data && typeof data === "object" ? data : { changed: NaN, events: [] };
    } catch {
      return { changed: NaN, events: [] }; // garbage in storage: as good as empty
    }
  }
  // When a revision's ticks last changed (ms), from `changed` or else its latest tick; 0 when unknown.
  function lastChange(text) {
    const data = stored(text);
    if (Number.isFinite(data.changed)) return data.changed;
    const times = Array.isArray(data.events) ? data.events.map((e) => (e && Number.isFinite(e.t) ? e.t : 0)) : [];
    return Math.max(0, ...times);
  }

  function formatter(zone) {
    return new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit", weekday: "short",
    });
  }

  // Material's instant navigation (if enabled) announces each new page on document$.
  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(start);
  else start();
})();
