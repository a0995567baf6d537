/**
 * `caxton agent deploy NAME FILE --strategy bluegreen|canary|shadow …` and
 * `caxton agent rollout status|promote|abort|rollback|history NAME`
 * (docs/DEPLOYMENTS.md). On a terminal, a deploy follows its rollout live.
 */
import { encodeBase64 } from "../../lifecycle/deployments/base64.ts";
import { CliError, EXIT } from "../exit.ts";
import { emit, paint, table } from "../output.ts";
import type { Command, CommandContext } from "../command_types.ts";
import { parseDuration } from "./timer.ts";

interface _Step {
  at: number;
  kind: string;
  share: number;
  passed?: boolean;
  reason?: string;
}

interface _Deployment {
  id: number;
  agent: string;
  strategy: string;
  status: string;
  fromVersion: number;
  toVersion: number | null;
  createdAt: number;
  report: {
    share: number;
    reason?: string;
    stages: {
      stage: string;
      passed: boolean;
      failure?: { message?: unknown; difference: string };
    }[];
    steps: _Step[];
    shadow?: { compared: number; diverged: number; divergenceRate: number };
  };
}

const _ACTIVE = new Set(["validating", "progressing", "switched", "shadowing"]);

/** The rollout options `agent deploy` takes beside its own. */
export const ROLLOUT_CLI_OPTIONS = {
  strategy: { type: "string" },
  steps: { type: "string" },
  interval: { type: "string" },
  grace: { type: "string" },
  duration: { type: "string" },
  sample: { type: "string" },
  test: { type: "string", multiple: true },
} as const;

/** `agent deploy … --strategy S`: a rollout instead of a hot reload. */
export async function deployWithStrategy(
  ctx: CommandContext,
  name: string,
  bytes: Uint8Array,
): Promise<number> {
  const v = ctx.values;
  const body: Record<string, unknown> = { module: encodeBase64(bytes), strategy: v.strategy };
  if (typeof v.steps === "string") {
    body.steps = v.steps.split(",").map((s) => {
      const n = Number(s.trim());
      if (!Number.isInteger(n)) {
        throw new CliError(
          `--steps ${JSON.stringify(v.steps)} is not a list of percentages`,
          EXIT.usage,
          "--steps 10,25,50,100",
        );
      }
      return n;
    });
  }
  if (typeof v.interval === "string") body.intervalMs = parseDuration(v.interval, "interval");
  if (typeof v.grace === "string") body.graceMs = parseDuration(v.grace, "grace");
  if (typeof v.duration === "string") body.durationMs = parseDuration(v.duration, "duration");
  if (typeof v.sample === "string") body.sample = Number(v.sample);
  const tests = v.test as string[] | undefined;
  if (tests?.length) body.tests = tests.map(_test);
  const path = `/api/v1/agents/${encodeURIComponent(name)}/deployments`;
  let deployment = await ctx.client().json<_Deployment>(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const o = ctx.output;
  if (o.interactive && !o.json) {
    // Live progress: each new step as it happens, until the rollout ends.
    let shown = 0;
    for (;;) {
      for (const step of deployment.report.steps.slice(shown)) o.err(_stepLine(ctx, step));
      shown = deployment.report.steps.length;
      if (!_ACTIVE.has(deployment.status)) break;
      await new Promise((r) => setTimeout(r, 1_000));
      deployment = await ctx.client().json<_Deployment>(`${path}/current`);
    }
  }
  _show(ctx, deployment);
  if (deployment.status === "failed_validation" || deployment.status === "rolled_back") {
    throw new CliError(
      `Deployment ${deployment.id} of "${name}" ${deployment.status.replace("_", " ")}: ${
        deployment.report.reason ?? ""
      }`,
      EXIT.refused,
      `see it with \`caxton agent rollout history ${name}\``,
    );
  }
  return 0;
}

/** `--test '{"content":"hi","expectContent":"hi"}'` or plain text content. */
function _test(text: string): unknown {
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === "object" && "content" in parsed) return parsed;
  } catch { /* plain text: the content itself */ }
  return { content: text };
}

function _stepLine(ctx: CommandContext, step: _Step): string {
  const verdict = step.passed === undefined ? "" : step.passed ? " passed" : " FAILED";
  const text = `${
    new Date(step.at).toISOString().slice(11, 19)
  } ${step.kind}${verdict} share ${step.share}%${step.reason ? ` — ${step.reason}` : ""}`;
  return paint(ctx.output, step.passed === false ? "red" : "dim", text);
}

function _show(ctx: CommandContext, d: _Deployment): void {
  emit(ctx.output, d, () => {
    const lines = [
      `deployment ${d.id} of ${d.agent}: ${d.strategy}, ${d.status}, share ${d.report.share}%` +
      ` (version ${d.fromVersion} → ${d.toVersion ?? "-"})`,
      ...d.report.stages.map((s) =>
        `  ${s.stage}: ${
          s.passed ? "passed" : `FAILED — ${s.failure?.difference}` +
            (s.failure?.message ? ` on ${JSON.stringify(s.failure.message)}` : "")
        }`
      ),
    ];
    if (d.report.shadow) {
      const s = d.report.shadow;
      lines.push(
        `  shadow: ${s.diverged}/${s.compared} replies diverged (${
          Math.round(s.divergenceRate * 1000) / 10
        }%)`,
      );
    }
    if (d.report.reason) lines.push(`  ${d.report.reason}`);
    return lines.join("\n");
  });
}

const _ACTIONS = ["status", "promote", "abort", "rollback", "history"];

export const ROLLOUT_COMMANDS: Command[] = [
  {
    noun: "agent",
    verb: "rollout",
    usage: "status|promote|abort|rollback|history <name>",
    summary: "a rollout of an agent: show it, promote it now, abort it, roll back, or list them",
    async run(ctx) {
      const [action, name] = ctx.args;
      if (!action || !_ACTIONS.includes(action) || !name) {
        throw new CliError(
          "rollout needs an action and an agent",
          EXIT.usage,
          "caxton agent rollout status|promote|abort|rollback|history <name>",
        );
      }
      const path = `/api/v1/agents/${encodeURIComponent(name)}/deployments`;
      if (action === "history") {
        const { deployments } = await ctx.client().json<{ deployments: _Deployment[] }>(path);
        emit(
          ctx.output,
          { deployments },
          () =>
            deployments.length === 0 ? `no deployments of ${name}` : table(
              ctx.output,
              ["ID", "STRATEGY", "STATUS", "VERSIONS", "STARTED", "WHY"],
              deployments.map((d) => [
                String(d.id),
                d.strategy,
                d.status,
                `${d.fromVersion}→${d.toVersion ?? "-"}`,
                new Date(d.createdAt).toISOString().slice(0, 19),
                d.report.reason ?? "",
              ]),
            ),
        );
        return;
      }
      const deployment = action === "status"
        ? await ctx.client().json<_Deployment>(`${path}/current`)
        : await ctx.client().json<_Deployment>(`${path}/current/${action}`, { method: "POST" });
      _show(ctx, deployment);
    },
  },
];
