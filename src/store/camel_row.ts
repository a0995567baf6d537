/** Rows read as records: snake_case columns become camelCase fields, values as stored. */

/**
 * The record a row holds, for tables whose columns are the record's fields in
 * snake_case (`created_at` → `createdAt`); the caller's type names the fields.
 */
export function camelCaseRow<T>(row: Record<string, unknown>): T {
  const record: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    record[column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = value;
  }
  return record as T;
}
