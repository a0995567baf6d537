/**
 * Where a new agent goes when its deploy names no node: the joined member
 * with the fewest agents (from the registry copy, current by its watch),
 * then the least load (messages waiting, from heartbeats), then the node that
 * was asked (no hop when it is as good as any), then by name. A member that
 * serves no API cannot take a deploy.
 */

/** A member as placement weighs it. */
export interface PlacementCandidate {
  id: string;
  name: string;
  api: string | null;
  state: "joined" | "suspect" | "gone";
  self: boolean;
  /** Messages waiting in its agents' mailboxes. */
  load: number;
}

/** The member a new agent goes to; undefined when none can take it. */
export function chooseNode<T extends PlacementCandidate>(
  members: readonly T[],
  agentsOn: (id: string) => number,
): T | undefined {
  const eligible = members.filter((m) => m.state === "joined" && (m.self || m.api !== null));
  return eligible.sort((a, b) =>
    agentsOn(a.id) - agentsOn(b.id) || a.load - b.load || Number(b.self) - Number(a.self) ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  )[0];
}
