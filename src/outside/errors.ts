/** Named errors of outside participation, each with a machine `code` and a remedy in its message. */
import type { AclMessage } from "../acl/mod.ts";

/** Raised when no outside participant has the given name. */
export class ParticipantNotFoundError extends Error {
  readonly code = "participant_not_found";
  constructor(readonly participant: string) {
    // The remedy belongs to whoever shows the error (the API's problem, the CLI's hint).
    super(`Cannot find participant "${participant}": no outside participant has that name`);
    this.name = "ParticipantNotFoundError";
  }
}

/** Raised when a participant name cannot be used. */
export class InvalidParticipantError extends Error {
  readonly code = "invalid_participant";
  constructor(message: string) {
    super(message);
    this.name = "InvalidParticipantError";
  }
}

/**
 * Raised when the router refused a message at once (unknown receiver, full
 * mailbox, stopped agent, too large): `failure` is the router's answer.
 */
export class DeliveryRefusedError extends Error {
  readonly code: string;
  constructor(readonly failure: AclMessage) {
    const content = failure.content as { code?: string; reason?: string };
    super(content.reason ?? "the message was refused");
    this.code = content.code ?? "agent_unavailable";
    this.name = "DeliveryRefusedError";
  }
}

/** Raised when a request got no reply in time. */
export class RequestTimeoutError extends Error {
  readonly code = "reply_timeout";
  constructor(readonly agent: string, readonly timeoutMs: number) {
    super(`No reply from "${agent}" within ${timeoutMs} ms`);
    this.name = "RequestTimeoutError";
  }
}

/** Raised to waiters when the node shuts down. */
export class ClosedError extends Error {
  readonly code = "shutting_down";
  constructor() {
    super("Caxton is shutting down; retry against a running node");
    this.name = "ClosedError";
  }
}

/** Raised when a job id is unknown. */
export class JobNotFoundError extends Error {
  readonly code = "job_not_found";
  constructor(readonly id: string) {
    super(`Cannot find job "${id}"; jobs are created by POST /api/v1/jobs`);
    this.name = "JobNotFoundError";
  }
}

/**
 * Raised when a webhook would reach an internal address (loopback, private,
 * link-local, metadata…) that the node's configuration does not allow.
 */
export class WebhookAddressRefusedError extends Error {
  readonly code = "webhook_address_refused";
  constructor(readonly url: string, readonly address: string, readonly addressClass: string) {
    super(
      `Cannot call webhook "${url}": ${address} is a ${addressClass} address, which webhooks may not reach; use a public address, or allow it on the server with webhookAllowPrivate (CAXTON_WEBHOOK_ALLOW_PRIVATE=true) or webhookAllowlist (CAXTON_WEBHOOK_ALLOWLIST)`,
    );
    this.name = "WebhookAddressRefusedError";
  }
}
