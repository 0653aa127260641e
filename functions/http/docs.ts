/**
 * GET /docs: an interactive reference for /openapi.json in one self-contained page (no CDN, no
 * external script), so it works on an isolated network and in the embedded local mode. The page
 * fetches the document relative to itself, which keeps working behind an API Gateway stage path.
 */
import { createHash } from "node:crypto";
import type { Context } from "hono";
import { documentConfig } from "./openapi.js";

const STYLE = `
:root { --fg:#1d2330; --muted:#5b6475; --line:#e2e6ee; --bg:#f7f8fb; --accent:#2454c5; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); display:flex; min-height:100vh; }
nav { width:300px; flex:none; background:var(--bg); border-right:1px solid var(--line); padding:16px; position:sticky; top:0; height:100vh; overflow:auto; }
nav h1 { font-size:18px; margin:0 0 12px; }
nav input { width:100%; padding:6px 8px; border:1px solid var(--line); border-radius:4px; margin-bottom:12px; }
nav h2 { font-size:12px; text-transform:uppercase; letter-spacing:.05em; color:var(--muted); margin:16px 0 4px; }
nav a { display:block; color:var(--fg); text-decoration:none; padding:2px 0; font-size:13px; }
nav a:hover { color:var(--accent); }
main { flex:1; padding:24px 40px; max-width:1100px; overflow:auto; }
section.op { border-top:1px solid var(--line); padding:20px 0; }
h2.path { font:600 16px ui-monospace,SFMono-Regular,Menlo,monospace; margin:0 0 6px; }
.m { display:inline-block; min-width:58px; text-align:center; color:#fff; border-radius:3px; padding:1px 6px; margin-right:8px; font-size:12px; text-transform:uppercase; }
.get { background:#2f8132; } .post { background:#2454c5; } .put,.patch { background:#95507c; } .delete { background:#b3261e; } .hook { background:#6b4fbb; }
code, pre { font-family:ui-monospace,SFMono-Regular,Menlo,monospace; font-size:13px; }
pre { background:#0f1420; color:#e6e9ef; padding:12px; border-radius:4px; overflow:auto; max-height:420px; }
table { border-collapse:collapse; width:100%; margin:6px 0 12px; font-size:13px; }
th, td { border:1px solid var(--line); padding:4px 8px; text-align:left; vertical-align:top; }
th { background:var(--bg); }
h3 { font-size:14px; margin:14px 0 4px; }
.muted { color:var(--muted); }
.req { color:#b3261e; font-size:11px; }
details { margin:4px 0; } summary { cursor:pointer; }
a { color:var(--accent); }
`;

const SCRIPT = `
"use strict";
const esc = (v) => String(v).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const inline = (t) => esc(t)
  .replace(/\\x60([^\\x60]+)\\x60/g, "<code>$1</code>")
  .replace(/\\*\\*([^*]+)\\*\\*/g, "<strong>$1</strong>")
  .replace(/\\[([^\\]]+)\\]\\((https?:[^)\\s]+)\\)/g, '<a href="$2">$1</a>');
function markdown(text) {
  const out = [];
  const lines = String(text || "").split("\\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    const h = /^(#{1,4}) (.*)$/.exec(line);
    if (h) { out.push("<h" + (h[1].length + 2) + ">" + inline(h[2]) + "</h" + (h[1].length + 2) + ">"); continue; }
    if (line.startsWith("|")) {
      const rows = [];
      while (i < lines.length && lines[i].startsWith("|")) rows.push(lines[i++]);
      i--;
      const cells = (r) => r.slice(1, -1).split(" | ").map((c) => c.trim());
      const body = rows.filter((r) => !/^\\|[-| ]+\\|$/.test(r));
      out.push("<table><tr>" + cells(body[0]).map((c) => "<th>" + inline(c) + "</th>").join("") + "</tr>" +
        body.slice(1).map((r) => "<tr>" + cells(r).map((c) => "<td>" + inline(c) + "</td>").join("") + "</tr>").join("") + "</table>");
      continue;
    }
    if (/^- /.test(line)) {
      const items = [];
      while (i < lines.length && /^- /.test(lines[i])) items.push(lines[i++].slice(2));
      i--;
      out.push("<ul>" + items.map((x) => "<li>" + inline(x) + "</li>").join("") + "</ul>");
      continue;
    }
    out.push("<p>" + inline(line) + "</p>");
  }
  return out.join("");
}
let doc;
const refName = (ref) => ref.split("/").pop();
const schemaLink = (name) => '<a href="#schema-' + esc(name) + '">' + esc(name) + "</a>";
function typeOf(s) {
  if (!s) return "any";
  if (s.$ref) return schemaLink(refName(s.$ref));
  if (s.const !== undefined) return "<code>" + esc(JSON.stringify(s.const)) + "</code>";
  if (s.enum) return s.enum.map((v) => "<code>" + esc(JSON.stringify(v)) + "</code>").join(" | ");
  const alt = s.oneOf || s.anyOf;
  if (alt) return alt.map(typeOf).join(" | ");
  if (s.type === "array") return "array of " + typeOf(s.items);
  const t = Array.isArray(s.type) ? s.type.join(" | ") : s.type || "object";
  const extra = [s.format, s.pattern && "pattern " + s.pattern, s.minimum !== undefined && "≥ " + s.minimum, s.maximum !== undefined && "≤ " + s.maximum, s.maxLength !== undefined && "max " + s.maxLength + " chars"].filter(Boolean);
  return esc(t) + (extra.length ? ' <span class="muted">(' + esc(extra.join(", ")) + ")</span>" : "");
}
function schemaBlock(s, depth) {
  if (!s || depth > 4) return "";
  if (s.$ref) {
    const target = doc.components.schemas[refName(s.$ref)];
    return "<p>" + schemaLink(refName(s.$ref)) + "</p>" + (depth === 0 && target ? "<details><summary>Fields</summary>" + schemaBlock(target, 1) + "</details>" : "");
  }
  const alt = s.oneOf || s.anyOf;
  if (alt) return "<p>One of:</p>" + alt.map((a, i) => "<details" + (depth === 0 ? " open" : "") + "><summary>Variant " + (i + 1) + (a.properties && a.properties.type && a.properties.type.enum ? ": " + esc(a.properties.type.enum[0]) : "") + "</summary>" + schemaBlock(a, depth + 1) + "</details>").join("");
  if (s.type === "array") return "<p>Array of " + typeOf(s.items) + "</p>" + (s.items && !s.items.$ref ? schemaBlock(s.items, depth + 1) : "");
  if (!s.properties) return "<p>" + typeOf(s) + (s.description ? " — " + inline(s.description) : "") + "</p>";
  const required = new Set(s.required || []);
  return "<table><tr><th>Field</th><th>Type</th><th>Description</th></tr>" + Object.entries(s.properties).map(([name, p]) =>
    "<tr><td><code>" + esc(name) + "</code>" + (required.has(name) ? ' <span class="req">required</span>' : "") + "</td><td>" + typeOf(p) + "</td><td>" +
    inline(p.description || "") + (p.type === "object" && p.properties ? "<details><summary>fields</summary>" + schemaBlock(p, depth + 1) + "</details>" : "") + "</td></tr>").join("") + "</table>";
}
function exampleOf(media) {
  if (!media) return undefined;
  if (media.example !== undefined) return media.example;
  let s = media.schema;
  while (s && s.$ref) s = doc.components.schemas[refName(s.$ref)];
  return s && s.example;
}
const json = (v) => "<pre>" + esc(JSON.stringify(v, null, 2)) + "</pre>";
function content(c) {
  return Object.entries(c || {}).map(([type, media]) => {
    const ex = exampleOf(media);
    return '<p class="muted"><code>' + esc(type) + "</code></p>" + schemaBlock(media.schema, 0) + (ex !== undefined ? "<details open><summary>Example</summary>" + json(ex) + "</details>" : "");
  }).join("");
}
function operation(kind, where, method, op) {
  const id = op.operationId || method + where;
  const params = (op.parameters || []).map((p) => "<tr><td><code>" + esc(p.name) + "</code>" + (p.required ? ' <span class="req">required</span>' : "") + "</td><td>" + esc(p.in) + "</td><td>" + typeOf(p.schema) + "</td><td>" + inline(p.description || (p.schema && p.schema.description) || "") +
    (p.schema && p.schema.example !== undefined ? (p.description ? "<br>" : "") + '<span class="muted">e.g.</span> <code>' + esc(p.schema.example) + "</code>" : "") + "</td></tr>").join("");
  const order = (s) => (s === "default" ? "9" : s);
  const responses = Object.entries(op.responses || {}).sort(([a], [b]) => order(a).localeCompare(order(b))).map(([status, r]) =>
    "<details" + (/^2/.test(status) ? " open" : "") + "><summary><strong>" + esc(status) + "</strong> " + inline(r.description || "") + "</summary>" +
    (r.headers ? "<table>" + Object.entries(r.headers).map(([h, v]) => "<tr><td><code>" + esc(h) + "</code></td><td>" + inline(v.description || "") + "</td></tr>").join("") + "</table>" : "") +
    content(r.content) + "</details>").join("");
  return '<section class="op" id="op-' + esc(id) + '"><h2 class="path"><span class="m ' + (kind === "webhook" ? "hook" : esc(method)) + '">' + esc(kind === "webhook" ? "event" : method) + "</span>" + esc(where) + "</h2>" +
    "<p><strong>" + inline(op.summary || "") + "</strong></p>" + markdown(op.description) +
    (op.security && op.security.length ? '<p class="muted">Authentication: ' + op.security.map((s) => Object.keys(s).map((k) => '<a href="#security-' + esc(k) + '">' + esc(k) + "</a>").join(" + ")).join(" or ") + "</p>" : "") +
    (params ? "<h3>Parameters</h3><table><tr><th>Name</th><th>In</th><th>Type</th><th>Description</th></tr>" + params + "</table>" : "") +
    (op.requestBody ? "<h3>Request body</h3>" + content(op.requestBody.content) : "") +
    "<h3>Responses</h3>" + responses + "</section>";
}
function render() {
  const nav = [];
  const main = ["<h1>" + esc(doc.info.title) + " <span class='muted'>" + esc(doc.info.version) + "</span></h1>", markdown(doc.info.description)];
  main.push("<h2 id='security'>Authentication</h2>" + Object.entries((doc.components && doc.components.securitySchemes) || {}).map(([name, s]) => "<section id='security-" + esc(name) + "'><h3>" + esc(name) + "</h3>" + markdown(s.description) + "</section>").join(""));
  nav.push("<h2>Overview</h2><a href='#top'>Introduction</a><a href='#security'>Authentication</a>");
  const byTag = new Map();
  for (const t of doc.tags || []) byTag.set(t.name, { tag: t, ops: [] });
  const ops = [];
  for (const [where, item] of Object.entries(doc.paths || {})) for (const [method, op] of Object.entries(item)) {
    if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
    const tag = (op.tags && op.tags[0]) || "Other";
    if (!byTag.has(tag)) byTag.set(tag, { tag: { name: tag }, ops: [] });
    byTag.get(tag).ops.push([where, method, op]);
    ops.push([where, method, op]);
  }
  for (const { tag, ops: list } of byTag.values()) {
    if (!list.length) continue;
    nav.push("<h2>" + esc(tag.name) + "</h2>" + list.map(([w, m, op]) => "<a href='#op-" + esc(op.operationId || m + w) + "'><span class='muted'>" + esc(m.toUpperCase()) + "</span> " + esc(op.summary || w) + "</a>").join(""));
    main.push("<h2 id='tag-" + esc(tag.name) + "'>" + esc(tag.name) + "</h2>" + markdown(tag.description) + list.map(([w, m, op]) => operation("path", w, m, op)).join(""));
  }
  const hooks = Object.entries(doc.webhooks || {});
  if (hooks.length) {
    nav.push("<h2>Webhooks sent</h2>" + hooks.map(([name, item]) => "<a href='#op-" + esc(item.post.operationId) + "'>" + esc(name) + "</a>").join(""));
    main.push("<h2 id='webhooks'>Webhooks the hub sends</h2>" + hooks.map(([name, item]) => operation("webhook", name, "post", item.post)).join(""));
  }
  const schemas = Object.entries((doc.components && doc.components.schemas) || {});
  nav.push("<h2>Schemas</h2>" + schemas.map(([name]) => "<a href='#schema-" + esc(name) + "'>" + esc(name) + "</a>").join(""));
  main.push("<h2 id='schemas'>Schemas</h2>" + schemas.map(([name, s]) => "<section class='op' id='schema-" + esc(name) + "'><h2 class='path'>" + esc(name) + "</h2>" + inline(s.description || "") + schemaBlock(s, 0) + (s.example !== undefined ? "<details><summary>Example</summary>" + json(s.example) + "</details>" : "") + "</section>").join(""));
  document.getElementById("nav-links").innerHTML = nav.join("");
  document.getElementById("content").innerHTML = main.join("");
  if (location.hash) { const target = document.getElementById(decodeURIComponent(location.hash.slice(1))); if (target) target.scrollIntoView(); }
}
document.getElementById("filter").addEventListener("input", (e) => {
  const q = e.target.value.toLowerCase();
  for (const a of document.querySelectorAll("#nav-links a")) a.style.display = a.textContent.toLowerCase().includes(q) ? "" : "none";
});
fetch("openapi.json", { headers: { accept: "application/json" } })
  .then((r) => { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
  .then((d) => { doc = d; render(); })
  .catch((err) => { document.getElementById("content").textContent = "Could not load openapi.json: " + err.message; });
`;

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

const CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const TITLE = escapeHtml(`${documentConfig.info.title} API reference`);

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${TITLE}</title>
<style>${STYLE}</style>
</head>
<body>
<nav><h1>${TITLE}</h1><input id="filter" type="search" placeholder="Filter" aria-label="Filter operations and schemas"><div id="nav-links"></div><p class="muted"><a href="openapi.json">openapi.json</a></p></nav>
<main id="top"><div id="content">Loading the OpenAPI document…</div></main>
<script>${SCRIPT}</script>
</body>
</html>
`;

export function docsPage(c: Context): Response {
  return c.html(PAGE, 200, { "content-security-policy": CSP, "cache-control": "public, max-age=300", "x-content-type-options": "nosniff" });
}
