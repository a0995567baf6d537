/**
 * A real DNS server on a loopback UDP port that answers A and AAAA queries
 * from a table the test may change, so name resolution is tested through
 * `Deno.resolveDns` and a real socket rather than a stub.
 */
import dgram from "node:dgram";
import { Buffer } from "node:buffer";
import ipaddr from "ipaddr.js";

/** The server and the table it answers from (name → addresses). */
export interface DnsServer extends AsyncDisposable {
  records: Map<string, string[]>;
  nameServer: { ipAddr: string; port: number };
  /** Queries answered so far. */
  readonly queries: number;
}

/** Starts the server on 127.0.0.1, port chosen by the system. */
export async function startDnsServer(records: Record<string, string[]> = {}): Promise<DnsServer> {
  const table = new Map(Object.entries(records));
  const socket = dgram.createSocket("udp4");
  let queries = 0;
  socket.on("message", (query: Buffer, peer: { port: number; address: string }) => {
    queries++;
    socket.send(_answer(query, table), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  const port = (socket.address() as { port: number }).port;
  return {
    records: table,
    nameServer: { ipAddr: "127.0.0.1", port },
    get queries() {
      return queries;
    },
    [Symbol.asyncDispose]: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** One response: the question echoed, then an answer per matching address. */
function _answer(query: Buffer, table: Map<string, string[]>): Buffer {
  let end = 12;
  const labels: string[] = [];
  while (query[end] !== 0) {
    labels.push(query.subarray(end + 1, end + 1 + query[end]!).toString("ascii"));
    end += query[end]! + 1;
  }
  const type = query.readUInt16BE(end + 1);
  const question = query.subarray(12, end + 5);
  const name = labels.join(".").toLowerCase();
  const addresses = (table.get(name) ?? [])
    .map((text) => ipaddr.parse(text))
    .filter((a) => (type === 1 ? "ipv4" : type === 28 ? "ipv6" : "") === a.kind());
  // Flags: a response, recursion available; NXDOMAIN for a name not in the table.
  const rcode = table.has(name) ? 0 : 3;
  const header = Buffer.from([
    query[0]!,
    query[1]!,
    0x81,
    0x80 | rcode,
    0,
    1,
    0,
    addresses.length,
    0,
    0,
    0,
    0,
  ]);
  const answers = addresses.map((address) => {
    const bytes = address.toByteArray();
    // A pointer to the question's name, type, class IN, TTL 0, then the address.
    return Buffer.from([
      0xc0,
      12,
      type >> 8,
      type & 0xff,
      0,
      1,
      0,
      0,
      0,
      0,
      0,
      bytes.length,
      ...bytes,
    ]);
  });
  return Buffer.concat([header, question, ...answers]);
}
