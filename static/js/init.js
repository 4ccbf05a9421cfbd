// Progressive enhancement only: every page works without this file.
import { initAll } from "../build/nhsuk-frontend.min.js";

initAll();
