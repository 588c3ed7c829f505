// Live thread: new comments, edits, votes and moderation appear without reload, and nothing is
// lost. Socket.IO delivers at most once; this module keeps the last applied seq, applies the
// next one in line, drops duplicates, and fetches whatever it missed from
// GET /api/v1/threads/<id>/events on a gap, on reconnect, when the tab comes back, and every 20 s.
// Comment HTML comes only from the server's sanitizer (the `html` field); everything else is
// set with textContent or attributes. No inline scripts (the page's CSP forbids them).
import { io } from "../vendor/socket.io/socket.io.esm.min.js";
import { renderCards } from "./links.js";

const HEARTBEAT_MS = 20000;
const GAP_WAIT_MS = 800; // an out-of-order event usually means the one before is just behind
const PAGE_LIMIT = 200;
const ANNOUNCE_GAP_MS = 10000; // a busy thread is summed up at most this often for screen readers
const ANNOUNCE_WAIT_MS = 1500; // arrivals this close together are announced together

function commentStatus(el) {
  for (const name of ["visible", "hidden", "pending"]) if (el.classList.contains(`status-${name}`)) return name;
  return null;
}

function format(template, n) {
  return template.replace("{n}", String(n));
}

function parseJson(text) {
  try {
    return JSON.parse(text || "{}") || {};
  } catch (error) {
    return {};
  }
}

function takeProto(template, name) {
  const node = template && template.content.querySelector(`[data-live-proto="${name}"]`);
  if (!node) return null;
  node.remove();
  node.removeAttribute("data-live-proto");
  return node;
}

function safeHttp(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch (error) {
    return null;
  }
}

export class LiveThread {
  constructor(root) {
    this.root = root;
    this.threadId = Number(root.dataset.threadId);
    this.lastSeq = Number(root.dataset.eventSeq || 0);
    this.sort = root.dataset.sort || "oldest";
    this.page = Number(root.dataset.page || 1);
    this.pages = Number(root.dataset.pages || 1);
    this.focus = root.dataset.focus ? Number(root.dataset.focus) : null;
    this.displayDepth = Number(root.dataset.displayDepth || 5);
    this.text = root.dataset;
    this.list = document.querySelector(`.comments[data-thread-id="${this.threadId}"]`);
    this.template = document.getElementById("live-comment-template");
    this.viewerId = root.dataset.viewerId ? Number(root.dataset.viewerId) : null;
    this.platforms = parseJson(root.dataset.platforms);
    // Markers a comment has only sometimes: kept aside, cloned in when they apply.
    this.pinnedProto = takeProto(this.template, "pinned");
    this.originProto = takeProto(this.template, "origin");
    this.focusOriginProto = takeProto(this.template, "focus-origin");
    this.focusNoVoteProto = takeProto(this.template, "focus-no-vote");
    this.editProto = takeProto(this.template, "edit");
    this.officialProto = takeProto(this.template, "official");
    this.roleLabels = this.officialProto ? parseJson(this.officialProto.dataset.roleLabels) : {};
    this.editWindowMs = Number(root.dataset.editWindow || 0) * 1000;
    this.viewersEl = root.querySelector(".live-viewers");
    this.offlineEl = root.querySelector(".live-offline");
    this.pill = root.querySelector(".live-pill");
    this.buffer = new Map();
    this.unseen = [];
    this.gapTimer = null;
    this.syncing = null;
    this.resyncAgain = false;
    this.applied = 0; // events applied, for tests and debugging
    // The header count (every visible comment and reply) and what the page knows of each
    // comment's status, so moderation events move the count the right way.
    this.totalEl = document.querySelector(".comment-total");
    this.total = this.totalEl ? Number(this.totalEl.dataset.count || 0) : 0;
    this.known = new Map();
    if (this.list) {
      this.list.querySelectorAll("article.comment[data-comment-id]").forEach((el) => {
        this.known.set(Number(el.dataset.commentId), commentStatus(el));
      });
    }
    this.announceEl = root.querySelector(".live-announce");
    this.arrived = { comments: 0, replies: 0 };
    this.announceTimer = null;
    this.lastAnnounced = 0;
    root.hidden = false;
  }

  start() {
    this.socket = io("/threads", { transports: ["websocket", "polling"] });
    this.socket.on("connect", () => this.subscribe());
    this.socket.on("disconnect", () => this.setOffline(true));
    this.socket.on("connect_error", () => this.setOffline(true));
    this.socket.on("thread_event", (event) => this.receive(event));
    this.socket.on("viewers", (data) => {
      if (data && data.thread_id === this.threadId) this.showViewers(data.count);
    });
    window.addEventListener("offline", () => {
      this.setOffline(true);
      this.socket.disconnect();
    });
    window.addEventListener("online", () => this.socket.connect());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.resync();
    });
    setInterval(() => this.resync(), HEARTBEAT_MS);
    this.pill.addEventListener("click", () => this.showUnseen());
    window.addEventListener("scroll", () => this.checkUnseen(), { passive: true });
  }

  subscribe() {
    this.socket.emit("subscribe", { thread_id: this.threadId, after_seq: this.lastSeq }, (ack) => {
      if (!ack || !ack.ok) {
        this.resync();
        return;
      }
      this.setOffline(false);
      this.showViewers(ack.viewers);
      ack.events.forEach((event) => this.receive(event));
      if (ack.more) this.resync();
    });
  }

  // ---- ordering ------------------------------------------------------------------------------

  receive(event) {
    if (!event || event.thread_id !== this.threadId || !(event.seq > this.lastSeq)) return;
    if (event.seq === this.lastSeq + 1) {
      this.apply(event);
      this.drain();
      return;
    }
    this.buffer.set(event.seq, event);
    if (!this.gapTimer) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = null;
        if (this.buffer.size) this.resync();
      }, GAP_WAIT_MS);
    }
  }

  drain() {
    for (const seq of [...this.buffer.keys()]) if (seq <= this.lastSeq) this.buffer.delete(seq);
    while (this.buffer.has(this.lastSeq + 1)) {
      const next = this.buffer.get(this.lastSeq + 1);
      this.buffer.delete(next.seq);
      this.apply(next);
    }
    if (!this.buffer.size && this.gapTimer) {
      clearTimeout(this.gapTimer);
      this.gapTimer = null;
    }
  }

  async resync() {
    if (this.syncing) {
      this.resyncAgain = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      try {
        for (let more = true; more; ) {
          const url = `/api/v1/threads/${this.threadId}/events?after_seq=${this.lastSeq}&limit=${PAGE_LIMIT}`;
          const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
          if (!response.ok) return;
          const body = await response.json();
          for (const event of body.items) {
            if (event.seq === this.lastSeq + 1) this.apply(event);
          }
          this.drain();
          more = body.more && body.items.length > 0;
        }
      } catch (error) {
        // Offline: the next reconnect, heartbeat or visibility change tries again.
      } finally {
        this.syncing = null;
        if (this.resyncAgain) {
          this.resyncAgain = false;
          this.resync();
        }
      }
    })();
    return this.syncing;
  }

  apply(event) {
    this.lastSeq = event.seq;
    this.root.dataset.eventSeq = String(event.seq);
    this.applied += 1;
    try {
      this.render(event);
    } catch (error) {
      console.error("live update failed", error);
    }
  }

  // ---- the page ------------------------------------------------------------------------------

  render(event) {
    this.count(event);
    const existing = event.comment_id ? document.getElementById(`c${event.comment_id}`) : null;
    if (!event.comment) {
      // No longer public (e.g. held for review): take it off the page if it was shown.
      if (existing) existing.remove();
      return;
    }
    if (existing) {
      this.update(existing, event.comment);
      return;
    }
    if (event.type === "comment_created" || event.type === "comment_approved" || event.type === "comment_restored") {
      this.insert(event.comment);
    }
  }

  insert(comment) {
    const place = this.placeFor(comment);
    if (!place) return;
    const el = this.build(comment);
    if (place.before) place.parent.insertBefore(el, place.before);
    else place.parent.appendChild(el);
    const empty = this.list.querySelector(":scope > p.muted");
    if (empty) empty.remove();
    el.classList.add("flash-new");
    setTimeout(() => el.classList.remove("flash-new"), 4000);
    const box = el.getBoundingClientRect();
    if (box.top > window.innerHeight || box.bottom < 0) {
      this.unseen.push(el);
      this.updatePill();
    }
  }

  placeFor(comment) {
    if (comment.parent_id == null) {
      if (this.focus) return null;
      if (this.sort === "oldest" && this.page === this.pages) return { parent: this.list };
      if (this.sort === "newest" && this.page === 1) return { parent: this.list, before: this.firstUnpinned(null) };
      return null; // it belongs on another page or position: the sort order decides
    }
    const parent = document.getElementById(`c${comment.parent_id}`);
    if (!parent) return null;
    let depth = 0;
    for (let node = parent.parentElement; node; node = node.parentElement) {
      if (node.classList && node.classList.contains("replies")) depth += 1;
    }
    if (depth + 1 >= this.displayDepth) return null; // shown behind "continue this thread"
    let replies = parent.querySelector(":scope > .replies");
    if (!replies) {
      replies = document.createElement("div");
      replies.className = "replies";
      parent.appendChild(replies);
    }
    return { parent: replies };
  }

  build(comment) {
    const el = this.template.content.firstElementChild.cloneNode(true);
    const id = comment.id;
    el.id = `c${id}`;
    el.dataset.commentId = String(id);
    el.dataset.seq = String(comment.seq);
    if (comment.parent_id != null) el.dataset.parentId = String(comment.parent_id);
    el.setAttribute("aria-labelledby", `c${id}-meta`);
    el.querySelector(".meta").id = `c${id}-meta`;
    el.querySelector(".author").textContent = comment.author.name;
    this.showOfficial(el.querySelector(".author"), comment.author.official);
    el.querySelector(".permalink").setAttribute("href", `/comments/${id}`);
    const time = el.querySelector("time");
    time.setAttribute("datetime", comment.created_at);
    time.textContent = this.formatTime(comment.created_at);
    el.querySelectorAll("form.vote-form").forEach((form) => {
      form.setAttribute("action", `/comments/${id}/vote`);
      form.dataset.commentId = String(id);
    });
    // Said at a focus group session (issue 18): not voted on, as the server's page renders it.
    if (comment.origin && comment.origin.platform === "focus_group") {
      el.querySelectorAll("form.vote-form, .vote-counts").forEach((node) => node.remove());
      if (this.focusNoVoteProto) el.querySelector(".comment-actions").prepend(this.focusNoVoteProto.cloneNode(true));
    }
    // Like the server's page: anyone logged in may flag someone else's comment.
    const flag = el.querySelector("details.flag");
    if (flag && this.viewerId !== null && comment.author.id === this.viewerId) flag.remove();
    else if (flag) flag.querySelector("form.flag-form").setAttribute("action", `/comments/${id}/flag`);
    // Like the server's page: the author may edit their own comment within the edit window.
    const created = Date.parse(comment.created_at);
    if (this.editProto && this.viewerId !== null && comment.author.id === this.viewerId && Date.now() - created < this.editWindowMs) {
      const edit = this.editProto.cloneNode(true);
      edit.setAttribute("href", `/comments/${id}/edit`);
      const actions = el.querySelector(".comment-actions");
      const before = actions.querySelector("details.flag");
      actions.insertBefore(edit, before);
    }
    const moderate = el.querySelector(".moderate-link");
    if (moderate) moderate.setAttribute("href", `/moderation/comments/${id}`);
    const reply = el.querySelector("form.comment-form");
    if (reply) {
      reply.querySelector("input[name=parent_id]").value = String(id);
      const area = reply.querySelector("textarea");
      const label = reply.querySelector("label");
      const hint = reply.querySelector(".hint");
      area.id = `body-${id}`;
      label.setAttribute("for", area.id);
      hint.id = `body-${id}-hint`;
      area.setAttribute("aria-describedby", hint.id);
    }
    this.update(el, comment);
    return el;
  }

  update(el, comment) {
    el.dataset.version = String(comment.version);
    el.classList.remove("status-visible", "status-hidden", "status-pending");
    el.classList.add(`status-${comment.status}`);
    const meta = el.querySelector(":scope > .meta");
    if (meta) {
      const pinned = comment.pinned === true;
      const moved = this.isPinned(el) !== pinned && el.parentElement === this.list;
      this.showPinned(meta, pinned);
      if (moved) this.reposition(el, pinned);
      this.showOrigin(meta, comment.origin);
    }
    const ownActions = el.querySelector(":scope > .comment-actions");
    ownActions && ownActions.querySelectorAll("[data-count]").forEach((span) => {
      span.textContent = String(comment.votes[span.dataset.count]);
    });
    if (comment.status === "hidden") {
      let body = el.querySelector(":scope > .comment-body");
      if (body) body.remove();
      if (!el.querySelector(":scope > .comment-hidden")) {
        const note = document.createElement("p");
        note.className = "comment-hidden";
        note.textContent = this.text.hiddenLabel;
        el.querySelector(":scope > .meta").after(note);
      }
      el.querySelectorAll(":scope > .comment-actions, :scope > details.reply, :scope > .link-cards").forEach((n) => n.remove());
      return;
    }
    let body = el.querySelector(":scope > .comment-body");
    if (!body) {
      body = document.createElement("div");
      body.className = "comment-body";
      el.querySelector(":scope > .meta").after(body);
      const note = el.querySelector(":scope > .comment-hidden");
      if (note) note.remove();
    }
    if (body.dataset.version !== String(comment.version)) {
      body.innerHTML = comment.html; // the sanitizer's output, and only that
      body.dataset.version = String(comment.version);
    }
    if (comment.status === "visible") renderCards(el, comment.links); // cards fill in (links_ready)
    if (comment.edited_at) {
      const mark = el.querySelector(":scope > .meta .edited-mark");
      if (mark) {
        mark.hidden = false;
        mark.querySelector("a").setAttribute("href", `/comments/${comment.id}/history`);
      } else if (!el.querySelector(":scope > .meta .edited")) {
        const link = document.createElement("a");
        link.className = "edited";
        link.href = `/comments/${comment.id}/history`;
        link.textContent = this.text.editedLabel;
        const meta = el.querySelector(":scope > .meta");
        meta.append(" · ", link);
      }
    }
  }

  // ---- the header count and announcements ---------------------------------------------------

  count(event) {
    if (!event.comment_id) return;
    const id = event.comment_id;
    const now = event.comment ? event.comment.status : "pending"; // not public: not counted
    let before = this.known.get(id);
    if (before === undefined) {
      // A comment this page has not shown (another page of the list, or new): what the event
      // type says it was before.
      if (event.type === "comment_created" || event.type === "comment_approved" || event.type === "comment_restored") before = null;
      else if (event.type === "comment_hidden" || event.type === "comment_held") before = "visible";
      else before = now;
    }
    this.known.set(id, now);
    const delta = (now === "visible" ? 1 : 0) - (before === "visible" ? 1 : 0);
    if (delta) this.setTotal(this.total + delta);
    if (event.type === "comment_created" && now === "visible" && event.comment.author.id !== this.viewerId) {
      if (event.comment.parent_id == null) this.arrived.comments += 1;
      else this.arrived.replies += 1;
      this.scheduleAnnouncement();
    }
  }

  setTotal(n) {
    this.total = Math.max(0, n);
    if (!this.totalEl) return;
    this.totalEl.dataset.count = String(this.total);
    this.totalEl.textContent = this.total === 1 ? this.totalEl.dataset.one : format(this.totalEl.dataset.many, this.total);
  }

  // "1 new comment", "3 new replies", "2 new comments and 1 new reply", as the pill says it.
  describe(comments, replies) {
    const part = (n, one, many) => (n === 1 ? one : format(many, n));
    const c = comments ? part(comments, this.text.commentOne, this.text.commentMany) : "";
    const r = replies ? part(replies, this.text.replyOne, this.text.replyMany) : "";
    if (c && r) return this.text.both.replace("{comments}", c).replace("{replies}", r);
    return c || r;
  }

  // Throttled: arrivals close together become one sentence, and a busy thread is summed up
  // at most once every ANNOUNCE_GAP_MS, so a screen reader is never flooded.
  scheduleAnnouncement() {
    if (!this.announceEl || this.announceTimer) return;
    const wait = Math.max(ANNOUNCE_WAIT_MS, this.lastAnnounced + ANNOUNCE_GAP_MS - Date.now());
    this.announceTimer = setTimeout(() => this.announce(), wait);
  }

  announce() {
    this.announceTimer = null;
    const text = this.describe(this.arrived.comments, this.arrived.replies);
    this.arrived = { comments: 0, replies: 0 };
    if (!text) return;
    this.lastAnnounced = Date.now();
    this.announceEl.textContent = text;
  }

  // ---- header markers (as consultations/thread.html and social/_origin.html render them) -----

  // The 「官方」 badge after the author's name, as trust/_badge.html renders it.
  showOfficial(author, official) {
    if (!official || !this.officialProto) return;
    const mark = this.officialProto.cloneNode(true);
    delete mark.dataset.roleLabels;
    const agency = official.agency && official.agency.name;
    mark.querySelector(".official-agency").textContent = agency || this.roleLabels[official.role] || official.role;
    author.after(mark);
  }

  // Where a marker goes: before the origin, the moderator's link or (last) nothing.
  markerAnchor(meta, skipOrigin) {
    const origin = skipOrigin ? null : meta.querySelector(":scope > .origin");
    if (origin) return origin;
    const mark = meta.querySelector(":scope > .moderate-mark");
    if (mark) return mark;
    const link = meta.querySelector(":scope > .moderate-link");
    if (link && link.previousSibling && link.previousSibling.nodeType === Node.TEXT_NODE) return link.previousSibling;
    return link;
  }

  isPinned(el) {
    return el.querySelector(":scope > .meta > .badge-pinned") !== null;
  }

  // The first top-level comment below the pinned ones (other than `except`), or null.
  firstUnpinned(except) {
    for (const node of this.list.querySelectorAll(":scope > article.comment")) {
      if (node !== except && !this.isPinned(node)) return node;
    }
    return null;
  }

  // A top-level comment was pinned or unpinned: the server lists pinned comments first, then
  // the page's sort order. Pinned ones, and unpinned ones in the oldest/newest orders, take
  // their place by seq; in the vote and reply orders an unpinned one goes just below the
  // pinned ones (those orders are not re-sorted live as counts change either).
  reposition(el, pinned) {
    const seq = Number(el.dataset.seq);
    const newest = this.sort === "newest";
    const bySeq = pinned || this.sort === "oldest" || newest;
    let before = null;
    if (bySeq) {
      for (const node of this.list.querySelectorAll(":scope > article.comment")) {
        if (node === el || this.isPinned(node) !== pinned) continue;
        const other = Number(node.dataset.seq);
        if (newest ? other < seq : other > seq) {
          before = node;
          break;
        }
      }
    }
    if (!before && pinned) before = this.firstUnpinned(el);
    if (!before && !bySeq) before = this.firstUnpinned(el);
    if (before) this.list.insertBefore(el, before);
    else this.list.appendChild(el);
  }

  showPinned(meta, pinned) {
    const badge = meta.querySelector(":scope > .badge-pinned");
    if (!pinned) {
      if (badge) badge.remove();
    } else if (!badge && this.pinnedProto) {
      const mark = this.pinnedProto.cloneNode(true);
      mark.className = "badge badge-pinned"; // as consultations/thread.html renders it
      meta.insertBefore(mark, this.markerAnchor(meta, false));
    }
  }

  showOrigin(meta, origin) {
    const old = meta.querySelector(":scope > .origin");
    if (!origin || !origin.platform || !this.originProto) {
      if (old && !origin) old.remove();
      return;
    }
    const key = JSON.stringify([origin.platform, origin.url, origin.posted_at]);
    if (old && old.dataset.key === key) return;
    // A focus-group statement has its own marker, with no link (as social/_origin.html).
    const focus = origin.platform === "focus_group" && this.focusOriginProto;
    const box = (focus ? this.focusOriginProto : this.originProto).cloneNode(true);
    box.className = "origin"; // as social/_origin.html renders it
    box.dataset.key = key;
    box.dataset.origin = origin.platform;
    if (!focus) {
      const badge = box.querySelector(".badge-imported");
      badge.textContent = (badge.dataset.label || "{platform}").replace("{platform}", this.platforms[origin.platform] || origin.platform);
      badge.removeAttribute("data-label");
      const link = box.querySelector(".origin-link");
      const href = origin.url && safeHttp(origin.url);
      if (href) link.setAttribute("href", href);
      else link.remove();
    }
    const date = box.querySelector(".origin-date");
    if (origin.posted_at) {
      const time = date.querySelector("time");
      time.setAttribute("datetime", origin.posted_at);
      time.textContent = this.formatTime(origin.posted_at);
    } else {
      date.remove();
    }
    if (old) old.replaceWith(box);
    else meta.insertBefore(box, this.markerAnchor(meta, true));
  }

  formatTime(iso) {
    // Like the server's |when('short'): the site's time zone, the page's language; zh-TW pages
    // write 民國 dates (115年1月5日 09:30), the same convention as the server and the documents.
    const lang = document.documentElement.lang || "";
    if (lang.startsWith("zh")) {
      try {
        const parts = {};
        new Intl.DateTimeFormat("en-US", {
          timeZone: this.text.timezone, year: "numeric", month: "numeric", day: "numeric",
          hour: "2-digit", minute: "2-digit", hourCycle: "h23",
        }).formatToParts(new Date(iso)).forEach((p) => { parts[p.type] = p.value; });
        return `${Number(parts.year) - 1911}年${Number(parts.month)}月${Number(parts.day)}日 ${parts.hour}:${parts.minute}`;
      } catch (error) {
        // an unknown time zone: fall through to the browser's own format
      }
    }
    const options = { dateStyle: "short", timeStyle: "short" };
    try {
      return new Date(iso).toLocaleString(document.documentElement.lang || undefined, { ...options, timeZone: this.text.timezone });
    } catch (error) {
      return new Date(iso).toLocaleString(undefined, options);
    }
  }

  // ---- quiet notices -------------------------------------------------------------------------

  updatePill() {
    const n = this.unseen.length;
    this.pill.hidden = n === 0;
    const replies = this.unseen.filter((el) => el.dataset.parentId).length;
    if (n) this.pill.textContent = this.describe(n - replies, replies);
  }

  checkUnseen() {
    if (!this.unseen.length) return;
    this.unseen = this.unseen.filter((el) => {
      const box = el.getBoundingClientRect();
      return el.isConnected && (box.top > window.innerHeight || box.bottom < 0);
    });
    this.updatePill();
  }

  showUnseen() {
    const first = this.unseen[0];
    this.unseen = [];
    this.updatePill();
    if (first) {
      first.scrollIntoView({ behavior: "smooth", block: "center" });
      first.setAttribute("tabindex", "-1");
      first.focus({ preventScroll: true });
    }
  }

  showViewers(count) {
    if (typeof count !== "number" || !this.viewersEl) return;
    this.viewersEl.textContent = count === 1 ? this.text.viewersOne : format(this.text.viewersMany, count);
  }

  setOffline(offline) {
    this.offlineEl.hidden = !offline;
    this.root.classList.toggle("is-offline", offline);
  }
}

const root = document.getElementById("live-thread");
if (root && "WebSocket" in window) {
  const live = new LiveThread(root);
  window.zhongyiLive = live;
  live.start();
}
