/**
 * The pieces the OpenAPI document is written with: references, JSON and
 * problem responses, parameters, one operation. Shared by openapi.ts and the
 * path groups beside it.
 */

export type Schema = Record<string, unknown>;

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const jsonContent = (schema: Schema) => ({ "application/json": { schema } });
export const problemOf = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ref("Problem") } },
});
export const ok = (description: string, schema: Schema) => ({
  description,
  content: jsonContent(schema),
});
export const sse = (description: string) => ({
  description,
  content: { "text/event-stream": { schema: { type: "string" } } },
});
export const nameParam = {
  name: "name",
  in: "path",
  required: true,
  schema: { type: "string", pattern: "^[a-z0-9][a-z0-9._-]{0,62}$" },
};
export const query = (name: string, schema: Schema, description: string) => ({
  name,
  in: "query",
  required: false,
  description,
  schema,
});
export const aclBody = {
  required: true,
  content: {
    "application/json": { schema: ref("AclMessage") },
    "text/fipa-acl": { schema: { type: "string", description: "FIPA ACL string (SC00070)" } },
  },
};
const _common = {
  "400": problemOf("Bad JSON or an invalid field"),
  "401": problemOf("A bearer token is required"),
  "404": problemOf("No such resource"),
};

/** One operation: its id, tag, summary and responses, with the problems every route may answer. */
export function op(
  operationId: string,
  tag: string,
  summary: string,
  responses: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return { operationId, tags: [tag], summary, ...extra, responses: { ...responses, ..._common } };
}

export const paging = [
  query("limit", { type: "integer", minimum: 1, maximum: 1000, default: 100 }, "Page size"),
];
