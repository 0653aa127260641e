/** The console's entry point. */
import { render } from "preact";
import { App } from "./app.js";
import { html } from "./html.js";
import { interceptLinks } from "./router.js";
import "./styles.css";

const root = document.getElementById("app")!;
interceptLinks(document.body);
root.textContent = "";
render(html`<${App} />`, root);
