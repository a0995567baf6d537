import { authMetrics } from "./bench/auth.ts";
const m = await authMetrics();
console.log(JSON.stringify(m.map(({ metric, value }) => ({ metric, value }))));
