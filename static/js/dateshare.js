// Share my date: the "Share" button uses the system share sheet where there is one (phones),
// else copies the link.
document.addEventListener("click", async (event) => {
  const button = event.target.closest(".share-copy");
  if (!button) return;
  const url = button.dataset.url;
  if (navigator.share) {
    try {
      await navigator.share({ title: button.dataset.title, url });
      return;
    } catch (err) {
      if (err && err.name === "AbortError") return;
    }
  }
  try {
    await navigator.clipboard.writeText(url);
    button.textContent = button.dataset.copied;
  } catch (_err) {
    const input = button.parentElement.querySelector(".share-url");
    if (input) input.select();
  }
});
