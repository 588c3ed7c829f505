// The header's unread count, live: the server pushes `unread {count}` to this person's room on
// the /notifications namespace whenever it changes (a reply, a mention, marking read in another
// tab). It shares the page's one Socket.IO connection with /threads; there is no polling.
import { io } from "../vendor/socket.io/socket.io.esm.min.js";

const badge = document.querySelector(".nav-notifications .unread-count");

function show(count) {
  if (!badge || typeof count !== "number" || count < 0) return;
  badge.textContent = String(count);
  badge.dataset.count = String(count);
  badge.hidden = count === 0;
}

if (badge) {
  const socket = io("/notifications", { transports: ["websocket", "polling"] });
  socket.on("unread", (data) => show(data && data.count));
  window.zhongyiUnread = socket; // for tests and debugging
}
