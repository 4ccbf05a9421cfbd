// Progressive enhancement only: every page works without this file.
import { initAll } from "../build/nhsuk-frontend.min.js";

initAll();

// Conditional radios (the NHS.UK markup: an input's data-aria-controls names the panel it reveals),
// for groups marked data-app-conditional. nhsuk-frontend's own radios module also sets
// aria-expanded on the inputs, which is not allowed on a radio (axe: aria-allowed-attr), so these
// groups are revealed here instead. Without JavaScript every panel is simply shown.
document.querySelectorAll("[data-app-conditional]").forEach((group) => {
  const inputs = Array.from(group.querySelectorAll("input.nhsuk-radios__input"));
  const sync = () => {
    inputs.forEach((input) => {
      const id = input.getAttribute("data-aria-controls");
      const panel = id && document.getElementById(id);
      if (!panel) return;
      input.setAttribute("aria-controls", id);
      panel.classList.toggle("nhsuk-radios__conditional--hidden", !input.checked);
    });
  };
  inputs.forEach((input) => input.addEventListener("change", sync));
  sync();
});
