/** Who is calling, once their credential has been checked. */

/** An authenticated caller. */
export interface Principal {
  /** Stable id for audit and rate limits: a key id, `jwt:<sub>`, `token` or `local`. */
  id: string;
  /** How they proved it. */
  kind: "api_key" | "jwt" | "token" | "local";
  role: string;
  /** The caller's own name (`ext:<name>` for a participant), what `$self` in a role stands for. */
  self: string | null;
  /** When the credential stops working (epoch ms), if it does. */
  expiresAt: number | null;
}

/** Why a credential was refused: each maps to a 401 problem. */
export type AuthFailure =
  | "missing"
  | "malformed"
  | "unknown_key"
  | "revoked"
  | "expired"
  | "invalid_token";
