// Progressive enhancement: without script the text sits in a field to select and copy by hand,
// and the copy button (hidden in the HTML) never shows. A button may name its own confirmation.
for (const button of document.querySelectorAll("[data-copy-target]")) {
  const field = document.getElementById(button.dataset.copyTarget);
  const status = button.closest("section")?.querySelector(".app-share__status");
  if (!field || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      if (status) status.textContent = button.dataset.copied || "Link copied.";
    } catch {
      field.select();
      if (status) status.textContent = "Select the text and copy it.";
    }
  });
}
