/** An optional bearer token in front of `/api/v1`. */
import type { MiddlewareHandler } from "hono";
import { problem, problemResponse } from "./problem_details.ts";

const _encoder = new TextEncoder();

/** Compares in time independent of where the strings differ. */
function _sameSecret(a: string, b: string): boolean {
  const x = _encoder.encode(a);
  const y = _encoder.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ (y[i % y.length] ?? 0);
  return diff === 0;
}

/** Refuses requests without `Authorization: Bearer <token>`; the OpenAPI document stays public. */
export function bearerToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.path === "/api/v1/openapi.json" || c.req.method === "OPTIONS") return await next();
    const given = c.req.header("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1] ?? "";
    if (!_sameSecret(given, token)) {
      return problemResponse(
        problem(
          401,
          "unauthorized",
          given === "" ? "This server requires a bearer token" : "The bearer token is not valid",
          "Send Authorization: Bearer <token> (the CLI reads it from CAXTON_TOKEN or its config file)",
        ),
        { "www-authenticate": 'Bearer realm="caxton"' },
      );
    }
    await next();
  };
}
