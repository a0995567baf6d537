/** `--expires` values: a duration (`90m`, `12h`, `30d`) or an ISO date. */

const _UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Epoch ms when a key given `expires` stops working; throws TypeError for bad input. */
export function parseExpiry(expires: string, now = Date.now()): number {
  const duration = /^(\d+)([smhd])$/.exec(expires);
  if (duration) return now + Number(duration[1]) * _UNITS[duration[2]!]!;
  const at = Date.parse(expires);
  if (Number.isNaN(at) || !/^\d{4}-\d{2}-\d{2}/.test(expires)) {
    throw new TypeError(
      `Cannot read expiry "${expires}": give a duration such as 30d, 12h, 90m, or an ISO date such as 2027-01-31`,
    );
  }
  return at;
}
