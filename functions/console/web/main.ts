/** The console's entry point. */
// First: zod gives up `new Function` (see zod-surface.ts) before any module builds a schema, as
// the domain's modules do when they load.
import "./zod-surface.js";
import { render } from "preact";
import { App } from "./app.js";
import { html } from "./html.js";
import { interceptLinks } from "./router.js";
import "./styles.css";

const root = document.getElementById("app")!;
interceptLinks(document.body);
root.textContent = "";
render(html`<${App} />`, root);
