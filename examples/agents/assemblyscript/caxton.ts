// The AssemblyScript SDK moved to sdk/assemblyscript/caxton.ts; this re-export
// keeps agents that import it from here (tests/fixtures/agents) building.
// It is not an agent: scripts/build_agents.ts skips it.
export * from "../../../sdk/assemblyscript/caxton";
