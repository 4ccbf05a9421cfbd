// Progressive enhancement: without script the link sits in a field to select and copy by hand.
for (const button of document.querySelectorAll("[data-copy-target]")) {
  const field = document.getElementById(button.dataset.copyTarget);
  const status = button.closest("section")?.querySelector(".app-share__status");
  if (!field || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      if (status) status.textContent = "Link copied.";
    } catch {
      field.select();
      if (status) status.textContent = "Select the link and copy it.";
    }
  });
}
