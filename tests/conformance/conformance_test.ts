// One suite, every language: the example agents of examples/agents/<lang>/,
// built from source by scripts/build_agents.ts, run in a real node through
// identical scenarios (behaviour: examples/agents/README.md).
import assert from "node:assert/strict";
import {
  agentBytes,
  startTestNode,
  tempDataDir,
  TestParticipant,
  until,
} from "../_support/node.ts";
import { exampleOptions, expectedBid, expectedWinner, languagesWith, runRound } from "./_agents.ts";

// C++ uses the C SDK's header: its echo joins the languages' echoes
for (const module of [...languagesWith("echo").map((lang) => `${lang}/echo`), "c/echo_cpp"]) {
  Deno.test(`${module}: echo replies inform with the content, threaded`, async () => {
    using dir = tempDataDir();
    await using node = await startTestNode({ dataDir: dir.path });
    using me = new TestParticipant(node);
    const view = await node.agents.deploy("echo", agentBytes(module), exampleOptions(module));
    assert.deepEqual(view.capabilities, ["echo"]);
    const text = 'hello "world" \\ é ✓ 🦀';
    me.send({
      performative: "request",
      receiver: ["echo"],
      content: text,
      conversationId: "c-echo",
      replyWith: "r-echo",
    });
    const reply = await me.next((m) => m.inReplyTo === "r-echo");
    assert.equal(reply.performative, "inform");
    assert.equal(reply.sender, "echo");
    assert.deepEqual(reply.receiver, [me.name]);
    assert.equal(reply.content, text);
    assert.equal(reply.conversationId, "c-echo");
    assert.equal((await me.request("echo", { not: "a string" })).content, "pong");
  });
}

for (const lang of languagesWith("counter")) {
  Deno.test(`${lang}: counter state survives a node restart`, async () => {
    using dir = tempDataDir();
    {
      await using node = await startTestNode({ dataDir: dir.path });
      using me = new TestParticipant(node);
      const view = await node.agents.deploy(
        "counter",
        agentBytes(`${lang}/counter`),
        exampleOptions(`${lang}/counter`),
      );
      assert.deepEqual(view.capabilities, ["counter"]);
      for (let i = 1; i <= 3; i++) {
        assert.equal((await me.request("counter", "tick")).content, `${i}`);
      }
    }
    await using node = await startTestNode({ dataDir: dir.path });
    using me = new TestParticipant(node);
    assert.equal((await me.request("counter", "tick")).content, "4");
  });
}

Deno.test("counters in every language share one state format", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  const langs = languagesWith("counter");
  await node.agents.deploy(
    "counter",
    agentBytes(`${langs[0]}/counter`),
    exampleOptions(`${langs[0]}/counter`),
  );
  let expected = 1;
  for (const lang of langs) {
    // hot reload onto the next language: the count carries on from the stored bytes
    if (lang !== langs[0]) {
      await node.agents.deploy(
        "counter",
        agentBytes(`${lang}/counter`),
        exampleOptions(`${lang}/counter`),
      );
    }
    assert.equal((await me.request("counter", "tick")).content, `${expected++}`, lang);
  }
});

for (const lang of languagesWith("pingpong")) {
  Deno.test(`${lang}: ping-pong plays n rounds and reports done`, async () => {
    using dir = tempDataDir();
    await using node = await startTestNode({ dataDir: dir.path });
    using me = new TestParticipant(node);
    await node.agents.deploy(
      "ping",
      agentBytes(`${lang}/pingpong`),
      exampleOptions(`${lang}/pingpong`),
    );
    await node.agents.deploy(
      "pong",
      agentBytes(`${lang}/pingpong`),
      exampleOptions(`${lang}/pingpong`),
    );
    assert.equal((await me.request("pong", "ping")).content, "pong");
    me.send({
      performative: "request",
      receiver: ["ping"],
      content: "start pong 5",
      conversationId: "c-game",
      replyWith: "r-game",
    });
    const done = await me.next((m) => m.inReplyTo === "r-game");
    assert.equal(done.performative, "inform");
    assert.equal(done.content, "done 5");
    assert.equal(done.conversationId, "c-game");
    const refused = await me.request("ping", "start pong zero");
    assert.equal(refused.performative, "refuse");
  });
}

Deno.test("ping-pong across languages: each language plays the next", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  const langs = languagesWith("pingpong");
  for (const lang of langs) {
    await node.agents.deploy(
      `pp-${lang}`,
      agentBytes(`${lang}/pingpong`),
      exampleOptions(`${lang}/pingpong`),
    );
  }
  for (const [i, lang] of langs.entries()) {
    const peer = `pp-${langs[(i + 1) % langs.length]}`;
    const done = await me.request(`pp-${lang}`, `start ${peer} 3`);
    assert.equal(done.content, "done 3", `${lang} against ${peer}`);
  }
});

for (const lang of languagesWith("bidder")) {
  Deno.test(`${lang}: a bidder prices a cfp from its name and the task`, async () => {
    using dir = tempDataDir();
    await using node = await startTestNode({ dataDir: dir.path });
    using me = new TestParticipant(node);
    // names picked so that both answers occur: one refuses, the others propose
    const names = _biddersWithRefusal("paint-fence", 3);
    for (const name of names) {
      await node.agents.deploy(
        name,
        agentBytes(`${lang}/bidder`),
        exampleOptions(`${lang}/bidder`),
      );
    }
    for (const name of names) {
      me.send({
        performative: "cfp",
        receiver: [name],
        content: "paint-fence",
        conversationId: "c-bid",
        replyWith: name,
      });
      const answer = await me.next((m) => m.inReplyTo === name);
      const price = expectedBid(name, "paint-fence");
      assert.equal(answer.performative, price === null ? "refuse" : "propose", name);
      assert.equal(answer.content, price === null ? "busy" : `${price}`, name);
      assert.equal(answer.conversationId, "c-bid");
    }
    me.send({ performative: "accept-proposal", receiver: [names[1]!], replyWith: "r-acc" });
    assert.equal((await me.next((m) => m.inReplyTo === "r-acc")).content, "done");
  });
}

for (const lang of languagesWith("manager")) {
  Deno.test(`${lang}: a contract-net round with 5 bidders accepts the best offer`, async () => {
    using dir = tempDataDir();
    await using node = await startTestNode({ dataDir: dir.path });
    using me = new TestParticipant(node);
    await node.agents.deploy(
      "manager",
      agentBytes(`${lang}/manager`),
      exampleOptions(`${lang}/manager`),
    );
    const bidders = _biddersWithRefusal("haul-crates", 5);
    for (const name of bidders) {
      await node.agents.deploy(
        name,
        agentBytes(`${lang}/bidder`),
        exampleOptions(`${lang}/bidder`),
      );
    }
    // a spy bidder sees the accept/reject the manager sends it
    using spy = new TestParticipant(node, "ext:spy");
    const spyAnswer = spy.next((m) => m.performative === "cfp").then((cfp) => {
      spy.send({
        performative: "propose",
        receiver: [cfp.sender ?? "manager"],
        content: "999",
        conversationId: cfp.conversationId,
        inReplyTo: cfp.replyWith,
      });
      return spy.next((m) => m.performative.endsWith("-proposal"));
    });
    const result = await runRound(me, "manager", {
      task: "haul-crates",
      bidders: [...bidders, "ext:spy"],
    });
    assert.equal(result.performative, "inform");
    // the spy asks 999, the most a bidder can: it never beats the real ones
    assert.equal(result.content, expectedWinner(bidders, "haul-crates"));
    const verdict = await spyAnswer;
    assert.equal(verdict.performative, "reject-proposal");
    assert.equal(verdict.content, "haul-crates");
    assert.equal((await node.agents.get("manager")).state, "running");
  });

  Deno.test(`${lang}: a tie goes to the smaller name; a repeated answer counts once`, async () => {
    using dir = tempDataDir();
    await using node = await startTestNode({ dataDir: dir.path });
    using me = new TestParticipant(node);
    using b = new TestParticipant(node, "ext:b");
    using a = new TestParticipant(node, "ext:a");
    await node.agents.deploy(
      "manager",
      agentBytes(`${lang}/manager`),
      exampleOptions(`${lang}/manager`),
    );
    // ext:b answers twice before ext:a answers at all: a double count would end the round early
    let bAnswered: () => void = () => {};
    const bDone = new Promise<void>((resolve) => (bAnswered = resolve));
    const verdicts = [a, b].map(async (spy) => {
      const cfp = await spy.next((m) => m.performative === "cfp");
      if (spy === a) await bDone;
      const propose = {
        performative: "propose" as const,
        receiver: ["manager"],
        content: "150",
        conversationId: cfp.conversationId,
        inReplyTo: cfp.replyWith,
      };
      const handled = () => node.agents.get("manager").counters.handled;
      const before = handled();
      spy.send(propose);
      if (spy === b) {
        spy.send(propose);
        await until(() => handled() >= before + 2, "both of ext:b's proposals handled");
        bAnswered();
      }
      return (await spy.next((m) => m.performative.endsWith("-proposal"))).performative;
    });
    const result = await runRound(me, "manager", { task: "tie", bidders: ["ext:b", "ext:a"] });
    assert.equal(result.content, "ext:a 150");
    assert.deepEqual(await Promise.all(verdicts), ["accept-proposal", "reject-proposal"]);
  });

  Deno.test(`${lang}: a round in progress survives a node restart`, async () => {
    using dir = tempDataDir();
    const requester = "ext:requester";
    let replyWith = "";
    {
      await using node = await startTestNode({ dataDir: dir.path });
      using me = new TestParticipant(node, requester);
      using a = new TestParticipant(node, "ext:a");
      using b = new TestParticipant(node, "ext:b");
      await node.agents.deploy(
        "manager",
        agentBytes(`${lang}/manager`),
        exampleOptions(`${lang}/manager`),
      );
      replyWith = crypto.randomUUID();
      me.send({
        performative: "request",
        receiver: ["manager"],
        content: "durable - ext:a ext:b",
        conversationId: "c-durable",
        replyWith,
      });
      const cfp = await a.next((m) => m.performative === "cfp");
      await b.next((m) => m.performative === "cfp");
      const before = node.agents.get("manager").counters.handled;
      a.send({
        performative: "propose",
        receiver: ["manager"],
        content: "300",
        conversationId: cfp.conversationId,
      });
      // the manager has stored it once it has handled it
      await until(
        () => node.agents.get("manager").counters.handled > before,
        "ext:a's proposal handled",
      );
    }
    // a new node on the same data: ext:b answers now, and the manager finishes the round
    await using node = await startTestNode({ dataDir: dir.path });
    using me = new TestParticipant(node, requester);
    using a = new TestParticipant(node, "ext:a");
    using b = new TestParticipant(node, "ext:b");
    const result = me.next((m) => m.inReplyTo === replyWith);
    b.send({
      performative: "propose",
      receiver: ["manager"],
      content: "200",
      conversationId: "c-durable",
    });
    assert.equal((await result).content, "ext:b 200");
    assert.equal(
      (await b.next((m) => m.performative.endsWith("-proposal"))).performative,
      "accept-proposal",
    );
    assert.equal(
      (await a.next((m) => m.performative.endsWith("-proposal"))).performative,
      "reject-proposal",
    );
  });

  Deno.test(`${lang}: a silent bidder is counted out at the deadline`, async () => {
    using dir = tempDataDir();
    await using node = await startTestNode({ dataDir: dir.path });
    using me = new TestParticipant(node);
    using silent = new TestParticipant(node, "ext:silent");
    await node.agents.deploy(
      "manager",
      agentBytes(`${lang}/manager`),
      exampleOptions(`${lang}/manager`),
    );
    const bidders = ["b-1", "b-2"];
    for (const name of bidders) {
      await node.agents.deploy(
        name,
        agentBytes(`${lang}/bidder`),
        exampleOptions(`${lang}/bidder`),
      );
    }
    const started = Date.now();
    const result = await runRound(me, "manager", {
      task: "late-job",
      bidders: [...bidders, silent.name],
      deadline: new Date(Date.now() + 300).toISOString(),
    });
    assert.ok(Date.now() - started >= 250, "the manager waited for the deadline");
    assert.equal(result.content, expectedWinner(bidders, "late-job"));
    assert.equal(silent.received.filter((m) => m.performative === "cfp").length, 1);
  });
}

Deno.test("a mixed-language contract-net round: every manager, bidders in every language", async () => {
  using dir = tempDataDir();
  await using node = await startTestNode({ dataDir: dir.path });
  using me = new TestParticipant(node);
  const bidders: string[] = [];
  for (const lang of languagesWith("bidder")) {
    for (let i = 0; i < 2; i++) {
      const name = `${lang}-bidder-${i}`;
      await node.agents.deploy(
        name,
        agentBytes(`${lang}/bidder`),
        exampleOptions(`${lang}/bidder`),
      );
      bidders.push(name);
    }
  }
  for (const lang of languagesWith("manager")) {
    await node.agents.deploy(
      `manager-${lang}`,
      agentBytes(`${lang}/manager`),
      exampleOptions(`${lang}/manager`),
    );
    const task = `move-${lang}`;
    const result = await runRound(me, `manager-${lang}`, { task, bidders });
    assert.equal(result.content, expectedWinner(bidders, task), `manager in ${lang}`);
  }
});

/** `count` bidder names for `task` of which exactly the first refuses. */
function _biddersWithRefusal(task: string, count: number): string[] {
  const names: string[] = [];
  let refusing: string | undefined;
  for (let i = 0; names.length < count - 1 || refusing === undefined; i++) {
    const name = `bidder-${i}`;
    if (expectedBid(name, task) === null) refusing ??= name;
    else if (names.length < count - 1) names.push(name);
  }
  return [refusing, ...names];
}

// JavaScript agents are left out: each starts a QuickJS runtime (~400 KB module,
// 10-15M fuel to start), which is not what a 100-bidder load test wants
for (const lang of languagesWith("manager").filter((lang) => lang !== "js")) {
  Deno.test(`${lang}: a contract-net round with 120 bidders`, async () => {
    using dir = tempDataDir();
    await using node = await startTestNode({ dataDir: dir.path });
    using me = new TestParticipant(node);
    await node.agents.deploy(
      "manager",
      agentBytes(`${lang}/manager`),
      exampleOptions(`${lang}/manager`),
    );
    const bidders = Array.from({ length: 120 }, (_, i) => `bidder-${i}`);
    const bytes = agentBytes(`${lang}/bidder`);
    const deployStarted = performance.now();
    await Promise.all(
      bidders.map((name) => node.agents.deploy(name, bytes, exampleOptions(`${lang}/bidder`))),
    );
    const deployMs = performance.now() - deployStarted;
    const started = performance.now();
    const result = await runRound(me, "manager", { task: "big-job", bidders, timeoutMs: 20_000 });
    const roundMs = performance.now() - started;
    assert.equal(result.content, expectedWinner(bidders, "big-job"));
    console.log(
      `${lang}: 120 bidders deployed in ${Math.round(deployMs)} ms, round in ${
        Math.round(roundMs)
      } ms`,
    );
  });
}
