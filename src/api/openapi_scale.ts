/**
 * Issue 21's operations in the hand-written OpenAPI document: the bulk deploy
 * (generated from its `createRoute` definition) joins the `/api/v1/agents`
 * path. Dropped when the whole document is generated from the routes.
 */
import { bulkOpenApiPaths } from "./agents_bulk.ts";

/** `doc` with the bulk deploy operation merged into its paths. */
export function withScalePaths(doc: Record<string, unknown>): Record<string, unknown> {
  const paths = doc.paths as Record<string, Record<string, unknown>>;
  for (const [path, item] of Object.entries(bulkOpenApiPaths())) {
    paths[path] = { ...paths[path], ...item };
  }
  return doc;
}
