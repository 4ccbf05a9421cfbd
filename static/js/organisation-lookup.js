// Look-up as you type for the organisation name on the sign page. Progressive enhancement: without
// this file the typed name or ODS code is matched on the server, exactly as with it.
const box = document.querySelector(".app-organisation-lookup");
const input = document.getElementById("id_organisation_name");

if (box && input && window.fetch) {
  const url = box.dataset.lookupUrl;
  const status = document.createElement("p");
  status.className = "nhsuk-body-s app-organisation-lookup__status";
  status.setAttribute("aria-live", "polite");
  status.id = "organisation-lookup-status";
  const list = document.createElement("ul");
  list.className = "nhsuk-list app-organisation-lookup__results";
  list.setAttribute("aria-label", "Organisations already listed");
  box.append(status, list);
  input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") || ""} organisation-lookup-status`.trim());

  const set = (id, value) => {
    const field = document.getElementById(id);
    if (field && value !== undefined && value !== null) field.value = value;
  };

  const choose = (organisation) => {
    const onBehalf = document.querySelector('input[name="on_behalf"][value="organisation"]');
    if (onBehalf) onBehalf.checked = true;
    const select = document.getElementById("id_organisation");
    const listed = select && [...select.options].some((option) => option.value === String(organisation.id));
    if (listed) {
      select.value = String(organisation.id);
      // The name stays in the box the person typed in (emptying it looked like losing it); the
      // list's choice is what the server uses.
      set("id_organisation_name", organisation.name);
    } else {
      set("id_organisation_name", organisation.name);
      set("id_ods_code", organisation.ods_code);
      set("id_organisation_kind", organisation.kind);
      set("id_region", organisation.region);
    }
    list.replaceChildren();
    status.textContent = `${organisation.name} chosen.`;
    input.focus();
  };

  const show = (organisations, query) => {
    list.replaceChildren();
    if (!organisations.length) {
      status.textContent = `No listed organisation matches “${query}”. If yours is new, carry on typing its name.`;
      return;
    }
    status.textContent = `${organisations.length} listed organisation${organisations.length === 1 ? "" : "s"} found. Choose yours, or carry on typing.`;
    for (const organisation of organisations) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "app-link-button";
      button.textContent = organisation.ods_code ? `${organisation.name} (${organisation.ods_code})` : organisation.name;
      button.addEventListener("click", () => choose(organisation));
      item.append(button);
      list.append(item);
    }
  };

  let timer = null;
  let latest = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const query = input.value.trim();
    if (query.length < 2) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    timer = setTimeout(async () => {
      const asked = ++latest;
      try {
        const response = await fetch(`${url}?q=${encodeURIComponent(query)}`, { headers: { Accept: "application/json" } });
        if (!response.ok || asked !== latest) return;
        show((await response.json()).organisations, query);
      } catch {
        // Offline or refused: the form still works, matched on the server.
      }
    }, 250);
  });
}
