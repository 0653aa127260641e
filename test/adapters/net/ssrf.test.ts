import { describe, it, expect } from "vitest";
import { checkDestination, classifyAddress, type DestinationPolicy, type Resolver } from "../../../functions/adapters/net/ssrf.js";

const cloud: DestinationPolicy = { allowLoopback: false, requireHttps: true };
const local: DestinationPolicy = { allowLoopback: true, requireHttps: false };

function resolverFrom(table: Record<string, string[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (host: string) => {
    calls.push(host);
    const addresses = table[host];
    if (addresses === undefined) throw Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" });
    return addresses.map((address) => ({ address, family: (address.includes(":") ? 6 : 4) as 4 | 6 }));
  };
  return Object.assign(resolve, { calls });
}

describe("classifyAddress", () => {
  it.each([
    ["8.8.8.8", "public"],
    ["1.1.1.1", "public"],
    ["2606:4700:4700::1111", "public"],
    ["2a00:1450:4001:80b::200e", "public"],
  ])("treats %s as public", (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });

  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "metadata"],
    ["169.254.170.2", "metadata"],
    ["fd00:ec2::254", "metadata"],
    ["169.254.1.1", "link_local"],
    ["fe80::1", "link_local"],
    ["febf:ffff::1", "link_local"],
    ["100.64.1.1", "cgnat"],
    ["100.127.255.254", "cgnat"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["::", "unspecified"],
    ["255.255.255.255", "broadcast"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["ff02::1", "multicast"],
    ["198.18.0.1", "benchmarking"],
    ["198.19.255.255", "benchmarking"],
    ["2001:2::1", "benchmarking"],
    ["192.0.2.1", "documentation"],
    ["198.51.100.7", "documentation"],
    ["203.0.113.9", "documentation"],
    ["2001:db8::1", "documentation"],
    ["192.0.0.8", "reserved"],
    ["240.0.0.1", "reserved"],
    ["fec0::1", "reserved"],
    ["100::1", "reserved"],
    ["fc00::1", "unique_local"],
    ["fd12:3456:789a::1", "unique_local"],
    ["::ffff:127.0.0.1", "ipv4_mapped"],
    ["::ffff:10.0.0.1", "ipv4_mapped"],
    ["::ffff:8.8.8.8", "ipv4_mapped"],
    ["[::ffff:7f00:1]", "ipv4_mapped"],
    ["::ffff:0:7f00:1", "ipv4_mapped"],
    ["64:ff9b::a00:1", "nat64"],
    ["64:ff9b::7f00:1", "nat64"],
    ["64:ff9b::169.254.169.254", "nat64"],
    ["64:ff9b:1::a00:1", "nat64"],
    ["2002:0a00:0001::", "6to4"],
    ["2002:c0a8:0101::1", "6to4"],
    ["2002:a9fe:a9fe::1", "6to4"],
    // Teredo with client 10.0.0.1 (stored inverted as f5ff:fffe).
    ["2001:0:4136:e378:8000:63bf:f5ff:fffe", "teredo"],
    // Teredo via a private server address.
    ["2001:0:a00:1:8000:63bf:f7f7:f7f7", "teredo"],
  ])("classifies %s as %s", (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });

  it("lets translation forms through when the embedded IPv4 address is public", () => {
    expect(classifyAddress("64:ff9b::808:808")).toBe("public");
    expect(classifyAddress("2002:808:808::1")).toBe("public");
    // Server 65.54.227.120, client 8.8.8.8 stored inverted.
    expect(classifyAddress("2001:0:4136:e378:8000:63bf:f7f7:f7f7")).toBe("public");
  });

  it.each(["127.1", "0x7f.0.0.1", "2130706433", "010.0.0.1", "example.com", "", "1.2.3.4.5"])(
    "reports the non-canonical or non-IP input %j as invalid",
    (ip) => {
      expect(classifyAddress(ip)).toBe("invalid");
    },
  );
});

describe("checkDestination", () => {
  it("accepts a name resolving only to public addresses and returns them", async () => {
    const resolve = resolverFrom({ "hooks.example.com": ["93.184.216.34", "2606:2800:220:1::1"] });
    const result = await checkDestination("https://hooks.example.com/tb?x=1", cloud, resolve);
    expect(result).toMatchObject({
      ok: true,
      addresses: [
        { address: "93.184.216.34", family: 4 },
        { address: "2606:2800:220:1::1", family: 6 },
      ],
    });
    if (result.ok) expect(result.url.hostname).toBe("hooks.example.com");
    expect(resolve.calls).toEqual(["hooks.example.com"]);
  });

  it("refuses a name when any one of its addresses is private", async () => {
    const resolve = resolverFrom({ "mixed.example.com": ["93.184.216.34", "10.1.2.3"] });
    const result = await checkDestination("https://mixed.example.com/", cloud, resolve);
    expect(result).toMatchObject({ ok: false, code: "forbidden_address" });
    if (!result.ok) {
      expect(result.detail).toContain("private");
      expect(result.detail).not.toContain("10.1.2.3");
    }
  });

  it("refuses loopback unless the policy allows it", async () => {
    const resolve = resolverFrom({ localhost: ["127.0.0.1", "::1"] });
    expect(await checkDestination("https://localhost/", cloud, resolve)).toMatchObject({
      ok: false,
      code: "forbidden_address",
    });
    expect(await checkDestination("http://localhost:8080/", local, resolve)).toMatchObject({ ok: true });
    expect(await checkDestination("http://127.0.0.1:8080/", local, resolve)).toMatchObject({ ok: true });
    expect(await checkDestination("http://[::1]:8080/", local, resolve)).toMatchObject({
      ok: true,
      addresses: [{ address: "::1", family: 6 }],
    });
  });

  it("allows only loopback when loopback is allowed, never private or metadata", async () => {
    const resolve = resolverFrom({ "lan.test": ["127.0.0.1", "192.168.0.10"] });
    expect(await checkDestination("http://lan.test/", local, resolve)).toMatchObject({
      ok: false,
      code: "forbidden_address",
    });
    for (const url of [
      "http://169.254.169.254/latest/meta-data/",
      "http://[fd00:ec2::254]/",
      "http://10.0.0.1/",
      "http://[::ffff:127.0.0.1]/",
      "http://0.0.0.0:8080/",
    ]) {
      expect(await checkDestination(url, local, resolve)).toMatchObject({ ok: false, code: "forbidden_address" });
    }
  });

  it("checks IP literals without a DNS lookup, including alternative IPv4 spellings", async () => {
    const resolve = resolverFrom({});
    expect(await checkDestination("https://8.8.8.8/", cloud, resolve)).toMatchObject({ ok: true });
    expect(await checkDestination("https://0x7f.1/", cloud, resolve)).toMatchObject({
      ok: false,
      code: "forbidden_address",
    });
    expect(await checkDestination("https://2130706433/", cloud, resolve)).toMatchObject({
      ok: false,
      code: "forbidden_address",
    });
    expect(resolve.calls).toEqual([]);
  });

  it("requires https when the policy says so", async () => {
    const resolve = resolverFrom({ "hooks.example.com": ["93.184.216.34"] });
    expect(await checkDestination("http://hooks.example.com/", cloud, resolve)).toMatchObject({
      ok: false,
      code: "scheme_not_allowed",
    });
    expect(await checkDestination("http://hooks.example.com/", { allowLoopback: false, requireHttps: false }, resolve)).toMatchObject({ ok: true });
  });

  it("refuses other schemes, credentials, garbage and unresolvable names", async () => {
    const resolve = resolverFrom({ "hooks.example.com": ["93.184.216.34"], "empty.example.com": [] });
    expect(await checkDestination("ftp://hooks.example.com/", local, resolve)).toMatchObject({
      code: "scheme_not_allowed",
    });
    expect(await checkDestination("file:///etc/passwd", local, resolve)).toMatchObject({
      code: "scheme_not_allowed",
    });
    expect(await checkDestination("https://user:pw@hooks.example.com/", cloud, resolve)).toMatchObject({
      code: "credentials_in_url",
    });
    expect(await checkDestination("https://user@hooks.example.com/", cloud, resolve)).toMatchObject({
      code: "credentials_in_url",
    });
    expect(await checkDestination("not a url", cloud, resolve)).toMatchObject({ code: "invalid_url" });
    expect(await checkDestination("https://nowhere.example.com/", cloud, resolve)).toMatchObject({
      code: "unresolvable",
    });
    expect(await checkDestination("https://empty.example.com/", cloud, resolve)).toMatchObject({
      code: "unresolvable",
    });
  });
});
