import assert from "node:assert/strict";
import { AddressGuard, classifyAddress } from "../../src/outside/mod.ts";
import { resolveWithDns } from "../../src/outside/address_guard.ts";
import { WebhookAddressRefusedError } from "../../src/outside/errors.ts";
import { startDnsServer } from "../_support/dns.ts";

Deno.test("internal addresses are classed, in IPv4 form and in every IPv6 form that carries one", () => {
  const table: [string, string | null][] = [
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["::1", "loopback"],
    ["169.254.169.254", "cloud-metadata"],
    ["169.254.170.2", "cloud-metadata"],
    ["fd00:ec2::254", "cloud-metadata"],
    ["100.100.100.200", "cloud-metadata"],
    ["169.254.1.1", "link-local"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["fc00::1", "unique-local"],
    ["fd12:3456::1", "unique-local"],
    ["fec0::1", "site-local"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["::", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["ff02::1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["100.64.0.1", "carrier-grade-nat"],
    ["100.127.255.255", "carrier-grade-nat"],
    ["240.0.0.1", "reserved"],
    // IPv4-mapped, IPv4-translated, NAT64, 6to4 and IPv4-compatible forms.
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:a9fe:a9fe", "cloud-metadata"],
    ["::ffff:0:a00:1", "private"],
    ["64:ff9b::a9fe:a9fe", "cloud-metadata"],
    ["2002:c0a8:0101::1", "private"],
    ["::127.0.0.1", "loopback"],
    ["[::ffff:10.0.0.1]", "private"],
    // Public.
    ["8.8.8.8", null],
    ["100.128.0.1", null],
    ["172.32.0.1", null],
    ["2606:4700::1111", null],
    ["::ffff:8.8.8.8", null],
  ];
  for (const [address, expected] of table) {
    assert.equal(classifyAddress(address), expected, address);
  }
});

Deno.test("a literal host is refused at once; the allowlist and allowPrivate let it through", () => {
  const strict = new AddressGuard();
  for (
    const url of ["http://127.0.0.1:8080/", "http://[::ffff:127.0.0.1]/", "http://2130706433/"]
  ) {
    assert.throws(
      () => strict.checkHost(new URL(url)),
      (e: unknown) => e instanceof WebhookAddressRefusedError && e.addressClass === "loopback",
      url,
    );
  }
  assert.throws(
    () => strict.checkHost(new URL("http://localhost:9/")),
    (e: unknown) =>
      e instanceof WebhookAddressRefusedError && /localhost is a loopback/.test(e.message),
  );
  assert.throws(
    () => strict.checkHost(new URL("http://metadata.google.internal/computeMetadata/v1/")),
    (e: unknown) => e instanceof WebhookAddressRefusedError && e.addressClass === "cloud-metadata",
  );
  assert.match(
    (() => {
      try {
        strict.checkHost(new URL("http://169.254.169.254/latest/meta-data/"));
        return "";
      } catch (e) {
        return (e as Error).message;
      }
    })(),
    /169\.254\.169\.254 is a cloud-metadata address.*webhookAllowPrivate.*webhookAllowlist/,
  );
  strict.checkHost(new URL("http://8.8.8.8/hook"));
  strict.checkHost(new URL("https://hooks.example.com/x"));

  const listed = new AddressGuard({ allowlist: ["127.0.0.0/8", "fd00::/8", "localhost"] });
  listed.checkHost(new URL("http://127.0.0.1:8080/"));
  listed.checkHost(new URL("http://[::ffff:127.0.0.1]/"));
  listed.checkHost(new URL("http://[fd00::5]/"));
  listed.checkHost(new URL("http://localhost/"));
  assert.throws(
    () => listed.checkHost(new URL("http://169.254.169.254/")),
    WebhookAddressRefusedError,
  );
  assert.throws(() => listed.checkHost(new URL("http://10.0.0.1/")), WebhookAddressRefusedError);

  new AddressGuard({ allowPrivate: true }).checkHost(new URL("http://169.254.169.254/"));
  assert.throws(() => new AddressGuard({ allowlist: ["10.0.0.0/99"] }), /not a CIDR/);
  assert.throws(() => new AddressGuard({ allowlist: ["bad host!"] }), /neither a CIDR/);
});

Deno.test("a name is checked by what DNS answers: refused if any address is internal", async () => {
  await using dns = await startDnsServer({
    "public.test": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "inside.test": ["127.0.0.1"],
    "mixed.test": ["93.184.215.14", "10.0.0.7"],
    "mapped.test": ["::ffff:169.254.169.254"],
  });
  const resolve = (host: string, signal?: AbortSignal) =>
    resolveWithDns(host, { signal, nameServer: dns.nameServer });
  const guard = new AddressGuard({}, resolve);
  assert.deepEqual(
    await guard.addressesFor(new URL("http://public.test/")),
    ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
  );
  await assert.rejects(
    guard.addressesFor(new URL("http://inside.test/")),
    (e: unknown) =>
      e instanceof WebhookAddressRefusedError && e.address === "127.0.0.1" &&
      e.addressClass === "loopback",
  );
  await assert.rejects(
    guard.addressesFor(new URL("http://mixed.test/")),
    (e: unknown) => e instanceof WebhookAddressRefusedError && e.addressClass === "private",
  );
  await assert.rejects(
    guard.addressesFor(new URL("http://mapped.test/")),
    (e: unknown) => e instanceof WebhookAddressRefusedError && e.addressClass === "cloud-metadata",
  );
  await assert.rejects(guard.addressesFor(new URL("http://nowhere.test/")), /Cannot resolve/);
  // Allowed by name, or by the CIDR its addresses fall in.
  assert.deepEqual(
    await new AddressGuard({ allowlist: ["inside.test"] }, resolve)
      .addressesFor(new URL("http://inside.test/")),
    ["127.0.0.1"],
  );
  assert.deepEqual(
    await new AddressGuard({ allowlist: ["10.0.0.0/8"] }, resolve)
      .addressesFor(new URL("http://mixed.test/")),
    ["93.184.215.14", "10.0.0.7"],
  );
  assert.ok(dns.queries > 0, "the answers came from the DNS server");
});
