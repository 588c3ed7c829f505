// Copy-link buttons of the share bar. The share links themselves are plain links: no
// third-party script is ever loaded. Without JavaScript the button stays hidden and the
// read-only field beside it holds the link to copy by hand.

function copied(status, button) {
  if (status) status.textContent = button.dataset.copied || "";
}

async function copy(button) {
  const text = button.dataset.copy || "";
  const bar = button.closest(".share");
  const status = bar ? bar.querySelector(".share-status") : null;
  try {
    await navigator.clipboard.writeText(text);
    copied(status, button);
  } catch {
    // No clipboard permission (or an old browser): select the field so Ctrl+C works.
    const field = bar ? bar.querySelector(".share-url") : null;
    if (field) {
      field.focus();
      field.select();
    }
  }
}

for (const button of document.querySelectorAll("button.share-copy[data-copy]")) {
  button.hidden = false;
  button.addEventListener("click", () => copy(button));
}

for (const field of document.querySelectorAll("input.share-url, textarea.embed-code")) {
  field.addEventListener("focus", () => field.select());
}
