// Marks the page as scripted before it paints, as nhsuk-frontend expects (no inline script, for CSP).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
