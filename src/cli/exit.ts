/** Exit codes that mean something, and the error that carries one. */

/** What a `caxton` exit status means. */
export const EXIT = {
  ok: 0,
  /** The server answered with an error not listed below. */
  failure: 1,
  /** Bad command line or settings. */
  usage: 2,
  /** The agent, participant, conversation or job does not exist. */
  notFound: 3,
  /** No server answered at the URL. */
  unreachable: 4,
  /** The server refused: conflict, invalid module, full mailbox, agent not running. */
  refused: 5,
  /** No reply in time. */
  timeout: 6,
} as const;

/** An error the CLI prints as one line (plus a remedy) and exits with. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.failure, readonly remedy?: string) {
    super(message);
    this.name = "CliError";
  }
}

/** The exit code for an HTTP status. */
export function exitForStatus(status: number): number {
  if (status === 404) return EXIT.notFound;
  if (status === 504) return EXIT.timeout;
  if (status === 400 || status === 413 || status === 415) return EXIT.usage;
  if ([409, 422, 429, 503].includes(status)) return EXIT.refused;
  return EXIT.failure;
}
