/**
 * Caxton's version, reported by `/health` and `caxton version`. A module of its
 * own so the CLI and scripts read it without importing the composition root.
 */
export const VERSION = "0.1.0";
