// Copy nhsuk-frontend's compiled script and its images into static/build, where Django's
// staticfiles (and WhiteNoise in production) serve them. Nothing here is committed.
import { cpSync, mkdirSync } from "node:fs";

const source = "node_modules/nhsuk-frontend/dist/nhsuk";
mkdirSync("static/build", { recursive: true });
cpSync(`${source}/nhsuk-frontend.min.js`, "static/build/nhsuk-frontend.min.js");
cpSync(`${source}/assets`, "static/build/assets", { recursive: true });
