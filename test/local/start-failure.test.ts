import { describe, expect, it } from "vitest";
import { startFailure } from "../../functions/local/start-failure.js";

const at = { dataDir: "/srv/hoptrace", port: 8787 };
const sysError = (code: string, extra: Record<string, unknown>) => Object.assign(new Error(`${code} something`), { code, ...extra });

describe("what keeps npm start from starting, in one line", () => {
  it("names a busy or refused port", () => {
    expect(startFailure(sysError("EADDRINUSE", { syscall: "listen" }), at)).toBe(
      "port 8787 is in use by another process: stop it, or set PORT to another port (PORT=0 picks a free one)",
    );
    expect(startFailure(sysError("EACCES", { syscall: "listen" }), at)).toBe("cannot listen on 127.0.0.1:8787 (EACCES): set PORT to another port");
  });

  it("names the data folder it cannot write, and the file when it is one inside it", () => {
    expect(startFailure(sysError("EACCES", { syscall: "mkdir", path: "/srv/hoptrace" }), at)).toBe(
      "cannot write to the data folder /srv/hoptrace (EACCES): make it writable by this user, or set HOPTRACE_DATA_DIR to another folder",
    );
    expect(startFailure(sysError("EROFS", { syscall: "open", path: "/srv/hoptrace/hub.lock" }), at)).toMatch(
      /^cannot write to the data folder \/srv\/hoptrace \(EROFS on \/srv\/hoptrace\/hub\.lock\)/,
    );
    // A permission error elsewhere is not the data folder's.
    expect(startFailure(sysError("EACCES", { syscall: "open", path: "/etc/elsewhere" }), at)).toBeUndefined();
  });

  it("reads the table's own lock refusing a second opener as the folder being in use", () => {
    const leveldb = Object.assign(new Error("Database is not open"), {
      cause: new Error("IO error: lock /srv/hoptrace/dynamodb/LOCK: already held by process"),
    });
    expect(startFailure(leveldb, at)).toBe(
      "the data folder /srv/hoptrace is in use by another hub (see /srv/hoptrace/hub.lock): stop it, or set HOPTRACE_DATA_DIR to another folder",
    );
    expect(startFailure(new Error("the clock is off"), at)).toBeUndefined();
  });
});
