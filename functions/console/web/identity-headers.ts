/**
 * Pasted Identity headers: one per line, with or without the `Identity:` field name; a line
 * starting with white space right after a header continues it (a folded SIP header), and blank
 * lines only separate.
 */
export function splitIdentityHeaders(text: string): string[] {
  const headers: string[] = [];
  let folding = false;
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) folding = false;
    else if (folding && /^\s/.test(line)) headers[headers.length - 1] += line.trim();
    else {
      headers.push(line.trim().replace(/^Identity\s*:\s*/i, ""));
      folding = true;
    }
  }
  return headers;
}
