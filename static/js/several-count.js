// Progressive enhancement: while "each line is a separate commitment" is ticked, say how many
// commitments the wording box will make. The "Check" button gives the same answer without it.
const text = document.getElementById("id_text");
const several = document.getElementById("id_several");

if (text && several) {
  const status = document.createElement("p");
  status.className = "nhsuk-body-s";
  status.id = "several-live-count";
  status.setAttribute("aria-live", "polite");
  several.closest(".nhsuk-form-group").append(status);

  const update = () => {
    const count = text.value.split(/\r?\n/).filter((line) => line.trim()).length;
    status.textContent = several.checked
      ? `This will add ${count} ${count === 1 ? "commitment" : "commitments"}.`
      : "";
  };
  text.addEventListener("input", update);
  several.addEventListener("change", update);
  update();
}
