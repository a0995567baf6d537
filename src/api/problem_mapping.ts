/** Maps domain errors, by class, to the problem each becomes. */
import { HTTPException } from "hono/http-exception";
import { AclParseError, TooManyReceiversError } from "../acl/mod.ts";
import {
  AgentNotFoundError,
  AgentsExistError,
  IllegalTransitionError,
  InvalidDeploymentError,
} from "../lifecycle/mod.ts";
import { AgentNameTakenError, NameRegistryUnavailableError } from "../router/mod.ts";
import {
  ClosedError,
  DeliveryRefusedError,
  InvalidParticipantError,
  JobNotFoundError,
  ParticipantNotFoundError,
  RequestTimeoutError,
  WebhookAddressRefusedError,
} from "../outside/mod.ts";
import { AgentLoadError, InvalidLimitError, ModuleRejectedError } from "../runtime/mod.ts";
import { type Problem, problem, ProblemError } from "./problem_details.ts";

/** Seconds a client should wait before retrying a refused delivery. */
const _RETRY_AFTER = "1";

/** The problem for `error`, with the headers it needs. */
export function toProblem(error: Error): { problem: Problem; headers: Record<string, string> } {
  if (error instanceof ProblemError) return { problem: error.problem, headers: error.headers };
  return { problem: _problemOf(error), headers: _headersOf(error) };
}

function _headersOf(error: Error): Record<string, string> {
  if (error instanceof DeliveryRefusedError) {
    if (
      error.code === "mailbox_full" || error.code === "agent_unavailable" ||
      error.code === "instance_limit"
    ) {
      return { "retry-after": _RETRY_AFTER };
    }
  }
  if (error instanceof ClosedError) return { "retry-after": _RETRY_AFTER };
  return {};
}

function _problemOf(error: Error): Problem {
  // Raised by Hono's own parts (a validator's media-type gate): the status they chose, as a problem.
  if (error instanceof HTTPException && error.status < 500) {
    return problem(
      error.status,
      error.status === 415 ? "unsupported_media_type" : "bad_request",
      error.message,
      "Correct the request as /api/v1/openapi.json describes it and send it again",
    );
  }
  if (error instanceof AgentNotFoundError) {
    return problem(404, error.code, error.message, "GET /api/v1/agents lists the agents here", {
      agent: error.agent,
    });
  }
  if (error instanceof ParticipantNotFoundError) {
    return problem(
      404,
      error.code,
      error.message,
      `Register it with PUT /api/v1/participants/${error.participant}`,
      { participant: error.participant },
    );
  }
  if (error instanceof JobNotFoundError) {
    return problem(404, error.code, error.message, "Use the id POST /api/v1/jobs returned");
  }
  if (error instanceof WebhookAddressRefusedError) {
    return problem(
      422,
      error.code,
      error.message,
      "Point the webhook at a public address, or allow this one on the server: webhookAllowPrivate: true (CAXTON_WEBHOOK_ALLOW_PRIVATE=true) or webhookAllowlist (CAXTON_WEBHOOK_ALLOWLIST, CIDRs or host names)",
      { address: error.address, addressClass: error.addressClass },
    );
  }
  if (error instanceof ModuleRejectedError) {
    return problem(
      422,
      "invalid_module",
      error.message,
      "Fix the module and deploy again; docs/ABI.md lists what a module must export and may import",
      { reason: error.code },
    );
  }
  if (error instanceof TooManyReceiversError) {
    return problem(
      413,
      error.code,
      error.message,
      `Name at most ${error.limit} distinct receivers per message (send several messages), or raise maxReceivers (CAXTON_MAX_RECEIVERS) on the server`,
      { limit: error.limit, receivers: error.rejected.receiver.length },
    );
  }
  if (error instanceof AclParseError) {
    return problem(
      400,
      error.code,
      error.message,
      "Send an ACL message: JSON with performative and receiver (docs/API.md), or a FIPA string with Content-Type text/fipa-acl",
    );
  }
  if (
    error instanceof InvalidLimitError || error instanceof InvalidDeploymentError ||
    error instanceof InvalidParticipantError
  ) {
    return problem(400, error.code, error.message, "Correct the request and send it again");
  }
  if (error instanceof AgentsExistError) {
    return problem(
      409,
      error.code,
      error.message,
      "Bulk deploy creates new agents only: leave out the names that exist (GET /api/v1/agents?prefix=…), or remove them first",
      { agents: error.agents.slice(0, 100), count: error.agents.length },
    );
  }
  // Cluster: the name lives on another node, or the registry cannot be asked.
  if (error instanceof AgentNameTakenError) {
    return problem(
      409,
      error.code,
      error.message,
      "Deploy it on its node, or choose another name",
      {
        node: error.node,
      },
    );
  }
  if (error instanceof NameRegistryUnavailableError) {
    return problem(503, error.code, error.message, "Retry once NATS is reachable (GET /ready)");
  }
  if (error instanceof IllegalTransitionError) {
    return problem(
      409,
      error.code,
      error.message,
      `Read the agent's state with GET /api/v1/agents/${error.agent} first`,
      { agent: error.agent, state: error.from },
    );
  }
  if (error instanceof AgentLoadError) {
    return problem(
      422,
      error.code,
      error.message,
      "The agent's start function or caxton_init failed; check the agent's logs",
    );
  }
  if (error instanceof DeliveryRefusedError) return _refusal(error);
  if (error instanceof RequestTimeoutError) {
    return problem(
      504,
      error.code,
      error.message,
      "Raise ?timeout (milliseconds), or submit a job with POST /api/v1/jobs and read its result later",
      { agent: error.agent, timeoutMs: error.timeoutMs },
    );
  }
  if (error instanceof ClosedError) {
    return problem(503, error.code, error.message, "Retry once the node is back up");
  }
  return problem(
    500,
    "internal_error",
    error.message,
    "This is a bug in Caxton; please report it with the server log",
  );
}

function _refusal(error: DeliveryRefusedError): Problem {
  // The refusal comes from the receiver: named so remedies can be filled in.
  const agent = error.failure.sender;
  const about = agent === undefined ? {} : { agent };
  switch (error.code) {
    case "unknown_receiver":
      return problem(
        404,
        error.code,
        error.message,
        "Address a deployed agent (GET /api/v1/agents) or a registered participant (ext:<name>)",
        about,
      );
    case "mailbox_full":
      return problem(
        429,
        error.code,
        error.message,
        "The receiver is behind: wait for Retry-After seconds and send again",
        about,
      );
    case "instance_limit":
      return problem(
        503,
        error.code,
        error.message,
        "Retry after Retry-After seconds (an idle agent is passivated meanwhile), or raise scale.maxLiveInstances with sysctl vm.max_map_count (docs/SCALE.md)",
        about,
      );
    case "message_too_large":
      return problem(
        413,
        error.code,
        error.message,
        "Send less content or raise the agent's maxMessageBytes limit",
        about,
      );
    default:
      return problem(
        503,
        error.code,
        error.message,
        agent === undefined
          ? "Start the agent (POST /api/v1/agents/<name>/start) or retry after Retry-After seconds"
          : `Start the agent (POST /api/v1/agents/${agent}/start) or retry after Retry-After seconds`,
        about,
      );
  }
}
