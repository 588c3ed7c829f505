// Theme workspace: live progress of a running analysis, and the stance bars' widths.
// Everything works without this script (the page shows the state as of loading); it only polls.

const POLL_MS = 1000;

function drawStanceBars(root) {
  root.querySelectorAll(".aw-stance").forEach((el) => {
    const a = Number(el.dataset.agree || 0);
    const d = Number(el.dataset.disagree || 0);
    const p = Number(el.dataset.pass || 0);
    const total = a + d + p;
    if (!total) return;
    const set = (cls, n) => {
      const part = el.querySelector(cls);
      if (part) part.style.width = `${(100 * n) / total}%`;
    };
    set(".aw-agree", a);
    set(".aw-disagree", d);
    set(".aw-pass", p);
  });
}

function followRun(box) {
  const url = box.dataset.statusUrl;
  if (!url) return;
  const bar = box.querySelector("[data-progress]");
  const stage = box.querySelector("[data-stage]");
  let failures = 0;
  const tick = async () => {
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      const run = await response.json();
      failures = 0;
      if (bar) { bar.value = run.progress; bar.textContent = `${run.progress}%`; }
      if (stage) stage.textContent = run.stage_label || run.stage;
      if (run.status === "done" || run.status === "failed") {
        window.location.reload();
        return;
      }
    } catch (err) {
      failures += 1;
      if (failures > 30) return; // give up quietly; a reload shows the state
    }
    window.setTimeout(tick, POLL_MS);
  };
  window.setTimeout(tick, POLL_MS);
}

drawStanceBars(document);
const box = document.getElementById("run-status");
if (box) followRun(box);
