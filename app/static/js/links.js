// Link cards and embeds: the "hide embedded content" preference (remembered in localStorage,
// applied to every embed on the page) and live fill-in of cards from `links` in real-time
// events (realtime.js calls renderCards). Everything is built with createElement/textContent;
// an iframe src is used only when it is on one of the allow-listed embed origins.

const PREF = "zhongyi.embeds";
const ORIGINS = [
  "https://www.youtube-nocookie.com/",
  "https://player.vimeo.com/",
  "https://www.facebook.com/plugins/",
  "https://www.instagram.com/",
  "https://www.threads.net/",
  "https://platform.twitter.com/",
];
const zh = !(document.documentElement.lang || "").startsWith("en");
const WORDS = zh
  ? { show: "顯示嵌入內容", hide: "隱藏嵌入內容", loading: "正在載入連結預覽…", embedded: "嵌入內容" }
  : { show: "Show embedded content", hide: "Hide embedded content", loading: "Loading link preview…", embedded: "Embedded content" };

function collapsed() {
  try {
    return window.localStorage.getItem(PREF) === "collapsed";
  } catch (error) {
    return false;
  }
}

function remember(value) {
  try {
    if (value) window.localStorage.setItem(PREF, "collapsed");
    else window.localStorage.removeItem(PREF);
  } catch (error) {
    // Private mode: the choice lasts for this page only.
  }
}

// Collapsing unloads the frame (no third-party content, nothing playing); expanding reloads it.
function applyTo(box, hide) {
  const frame = box.querySelector("iframe");
  const button = box.querySelector(".link-embed-toggle");
  if (frame) {
    if (hide && frame.getAttribute("src")) {
      frame.dataset.src = frame.getAttribute("src");
      frame.removeAttribute("src");
    } else if (!hide && frame.dataset.src) {
      frame.setAttribute("src", frame.dataset.src);
    }
    frame.hidden = hide;
  }
  box.classList.toggle("is-collapsed", hide);
  if (button) {
    button.setAttribute("aria-expanded", hide ? "false" : "true");
    button.textContent = hide ? button.dataset.show || WORDS.show : button.dataset.hide || WORDS.hide;
  }
}

export function applyPreference(scope = document) {
  const hide = collapsed();
  scope.querySelectorAll(".link-embed").forEach((box) => applyTo(box, hide));
}

function safeSrc(src) {
  return typeof src === "string" && ORIGINS.some((origin) => src.startsWith(origin)) ? src : null;
}

function safeHttp(url, httpsOnly) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || (!httpsOnly && parsed.protocol === "http:") ? parsed.href : null;
  } catch (error) {
    return null;
  }
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function buildEmbed(card) {
  const src = card.embed && safeSrc(card.embed.src);
  if (!src) return null;
  const kind = String(card.embed.kind || "").replace(/[^a-z]/g, "");
  const box = el("div", `link-embed embed-${kind}`);
  if (card.embed.type) box.classList.add(`embed-${kind}-${String(card.embed.type).replace(/[^a-z]/g, "")}`);
  const button = el("button", "link-embed-toggle link-button", WORDS.hide);
  button.type = "button";
  button.setAttribute("aria-expanded", "true");
  const frame = document.createElement("iframe");
  frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-popups allow-presentation");
  frame.setAttribute("loading", "lazy");
  frame.setAttribute("referrerpolicy", "no-referrer");
  frame.setAttribute("allow", "encrypted-media; picture-in-picture; fullscreen");
  frame.setAttribute("allowfullscreen", "");
  frame.title = card.title || `${WORDS.embedded} · ${card.site_name || ""}`;
  frame.setAttribute("src", src);
  box.append(button, frame);
  return box;
}

function buildCard(card) {
  const href = safeHttp(card.url, false);
  // A failed fetch shows no card, unless the URL is a known embed provider (the embed is ours).
  if (!href || (card.status === "failed" && !card.embed)) return null;
  const state = card.status === "ready" || card.status === "failed" ? card.status : "pending";
  const wrap = el("div", `link-card link-${state}`);
  wrap.dataset.url = href;
  const embed = buildEmbed(card);
  if (embed) wrap.append(embed);
  const main = el("a", "link-card-main");
  main.href = href;
  main.rel = "nofollow ugc noopener noreferrer";
  // Card images are served by this site (/link-images/<id>), never by the third party.
  const image = typeof card.image === "string" && /^\/link-images\/\d+(\?v=\d+)?$/.test(card.image) ? card.image : null;
  if (image) {
    const img = el("img", "link-card-image");
    img.alt = "";
    img.loading = "lazy";
    img.referrerPolicy = "no-referrer";
    img.setAttribute("src", image);
    main.append(img);
  }
  const text = el("span", "link-card-text");
  text.append(el("span", "link-card-site", card.site_name || ""));
  if (card.status === "pending") {
    text.append(el("span", "link-card-title muted", WORDS.loading));
  } else {
    text.append(el("strong", "link-card-title", card.title || (card.status === "failed" ? href : "")));
    if (card.description) {
      const d = card.description.length > 200 ? `${card.description.slice(0, 199)}…` : card.description;
      text.append(el("span", "link-card-desc", d));
    }
  }
  main.append(text);
  wrap.append(main);
  return wrap;
}

// Replace a comment element's cards with those of `links` (the API's `links` list).
export function renderCards(commentEl, links) {
  if (!commentEl || !Array.isArray(links)) return;
  const old = commentEl.querySelector(":scope > .link-cards");
  const cards = links.map(buildCard).filter(Boolean);
  if (!cards.length) {
    if (old) old.remove();
    return;
  }
  const box = el("div", "link-cards");
  box.dataset.linkCards = commentEl.dataset.commentId || "";
  box.append(...cards);
  if (old) old.replaceWith(box);
  else {
    const body = commentEl.querySelector(":scope > .comment-body");
    if (body) body.after(box);
    else return;
  }
  applyPreference(box);
}

function ensureStylesheet() {
  if (document.querySelector('link[href$="/css/links.css"]')) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = "/static/css/links.css";
  document.head.append(link);
}

document.addEventListener("click", (event) => {
  const button = event.target.closest(".link-embed-toggle");
  if (!button) return;
  event.preventDefault();
  const hide = button.getAttribute("aria-expanded") === "true";
  remember(hide);
  applyPreference(document);
});

ensureStylesheet();
applyPreference(document);
