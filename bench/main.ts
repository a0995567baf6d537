/** `deno task bench <group>`: runs one benchmark group (or all). */
const GROUPS: Record<string, () => Promise<void>> = {
  runtime: async () => (await import("./runtime.ts")).run(),
  router: async () => (await import("./router.ts")).run(),
  message_log: async () => (await import("./message_log.ts")).run(),
  api: async () => (await import("./api.ts")).run(),
  telemetry: async () => (await import("./telemetry.ts")).run(),
  mcp: async () => (await import("./mcp.ts")).run(),
  storm: async () => (await import("./storm.ts")).run(),
  cluster: async () => (await import("./cluster.ts")).run(),
  discovery: async () => (await import("./discovery.ts")).run(),
  timers: async () => (await import("./timers.ts")).run(),
  ui: async () => (await import("./ui.ts")).run(),
  scale: async () => (await import("./scale.ts")).run(),
  pools: async () => (await import("./pools.ts")).run(),
  deploy: async () => (await import("./deploy.ts")).run(),
};

const asked = Deno.args[0];
if (asked && !GROUPS[asked]) {
  console.error(`bench: unknown group "${asked}"; groups are ${Object.keys(GROUPS).join(", ")}`);
  Deno.exit(2);
}
for (const [name, run] of Object.entries(GROUPS)) {
  if (!asked || asked === name) await run();
}
