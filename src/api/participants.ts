/**
 * `/api/v1/participants`: outside participants `ext:<name>`. Register (with
 * an optional webhook), receive by SSE stream or long poll, send as them.
 */
import { Hono } from "hono";
import type { ParticipantOptions } from "../outside/mod.ts";
import { intQuery, readAclMessage, readObject } from "./body.ts";
import { problem, ProblemError } from "./problem_details.ts";
import { eventStream } from "./sse.ts";
import type { ApiDeps } from "./deps.ts";

export function participantRoutes(deps: ApiDeps): Hono {
  const app = new Hono();
  app.get("/", (c) => c.json({ items: deps.participants.list() }));
  app.put("/:name", async (c) => {
    const name = c.req.param("name");
    const existed = deps.participants.list().some((p) => p.name === name);
    const options = _options(await readObject(c, { optional: true }));
    await deps.participants.register(name, options);
    return c.json(deps.participants.view(name), existed ? 200 : 201);
  });
  app.get("/:name", (c) => c.json(deps.participants.view(c.req.param("name"))));
  app.delete("/:name", async (c) => {
    await deps.participants.remove(c.req.param("name"));
    return c.body(null, 204);
  });
  app.post("/:name/messages", async (c) => {
    const participant = deps.participants.get(c.req.param("name"));
    const { sender, ...message } = await readAclMessage(c, deps.maxReceivers);
    if (sender !== undefined && sender !== participant.name) {
      throw new ProblemError(
        problem(
          400,
          "sender_mismatch",
          `Cannot send as "${sender}" through ${participant.name}`,
          "Leave sender out, or send through that participant's own URL",
        ),
      );
    }
    const result = participant.send(message);
    return c.json({
      delivered: result.delivered,
      refused: result.refused.map((f) => ({ receiver: f.sender, ...(f.content as object) })),
    }, 202);
  });
  app.get("/:name/messages", async (c) => {
    const participant = deps.participants.get(c.req.param("name"));
    const waitMs = intQuery(c, "wait", 0, 0, 60_000);
    const max = intQuery(c, "max", 100, 1, 1000);
    const signal = AbortSignal.any([c.req.raw.signal, deps.closing]);
    return c.json({ items: await participant.take({ max, waitMs, signal }) });
  });
  app.get("/:name/stream", (c) => {
    const participant = deps.participants.get(c.req.param("name"));
    return eventStream(
      c,
      deps.closing,
      (send) => participant.subscribe((message) => send("message", message)),
    );
  });
  return app;
}

function _options(body: Record<string, unknown>): ParticipantOptions {
  const options: ParticipantOptions = {};
  if (body.capacity !== undefined) {
    if (!Number.isInteger(body.capacity) || (body.capacity as number) < 1) {
      throw _bad("capacity must be a positive integer");
    }
    options.capacity = body.capacity as number;
  }
  if (body.webhook !== undefined) {
    const w = typeof body.webhook === "string" ? { url: body.webhook } : body.webhook;
    if (typeof w !== "object" || w === null || typeof (w as { url?: unknown }).url !== "string") {
      throw _bad("webhook must be a URL or an object with a url");
    }
    const { url, maxAttempts, backoffMs, timeoutMs } = w as Record<string, unknown>;
    // Bounded, since a delay past the longest timer fires at once (found by fuzzing, issue 13).
    const bounds = { maxAttempts: 100, backoffMs: 3_600_000, timeoutMs: 3_600_000 };
    for (const [key, value] of Object.entries({ maxAttempts, backoffMs, timeoutMs })) {
      const max = bounds[key as keyof typeof bounds];
      if (
        value !== undefined && (!Number.isInteger(value) || (value as number) < 1 ||
          (value as number) > max)
      ) {
        throw _bad(`webhook.${key} must be an integer from 1 to ${max}`);
      }
    }
    options.webhook = {
      url: url as string,
      ...(maxAttempts !== undefined ? { maxAttempts: maxAttempts as number } : {}),
      ...(backoffMs !== undefined ? { backoffMs: backoffMs as number } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs: timeoutMs as number } : {}),
    };
  }
  return options;
}

function _bad(detail: string): ProblemError {
  return new ProblemError(
    problem(400, "bad_request", `Cannot register the participant: ${detail}`, "See docs/API.md"),
  );
}
