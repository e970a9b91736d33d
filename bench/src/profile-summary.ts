import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

// Sums a `node --cpu-prof` profile per function: self time (the function itself) and inclusive
// time (it and what it called), largest first. `--under <text>` keeps only the samples whose
// stack has a frame whose name contains <text> (e.g. `operation`: row 1's timed operation).
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx src/benchmarks/hot-path-chaukas.ts
//   pnpm --filter @chaukas/bench run profile-summary -- /tmp/prof/<file>.cpuprofile --under operation
// `--split name=fnA|fnB,name2=fnC` also sums the samples into parts: each sample goes to the
// first part with one of its functions (exact names) on the stack, else to GC or the rest;
// `--per <n>` divides the parts by n (events), in µs. Row 2's parts, with
// `BENCH_PROFILE_TIMED=/tmp/prof` (a profile of the timed part only):
//   --per 20000 --split build=toolCallStart,encode=encodeEvents       (the SDK)
//   --per 20000 --split build=plainToolCallEvent,encode=serialize     (grpc-js)
//   --per 20000 --split build=literalToolCallEvent,encode=toBinary    (bare connect-es)
const { values, positionals } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    under: { type: "string" },
    top: { type: "string", default: "30" },
    split: { type: "string" },
    per: { type: "string" },
  },
  allowPositionals: true,
});

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const profile = JSON.parse(readFileSync(positionals[0]!, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parentOf.set(child, node.id);

/** `function file:line`, with the file's last two path segments. */
const nameOf = ({ callFrame: frame }: ProfileNode) =>
  `${frame.functionName || "(anonymous)"} ${frame.url.split("/").slice(-2).join("/")}:${frame.lineNumber + 1}`;

/** Microseconds spent with each node on top of the stack. */
const timeOnTop = new Map<number, number>();
profile.samples.forEach((id, i) => {
  timeOnTop.set(id, (timeOnTop.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

/** `--split`'s parts in order: a name and the function names that put a sample in it. */
const parts = (values.split ?? "")
  .split(",")
  .filter((part) => part !== "")
  .map((part) => {
    const [name, functions = ""] = part.split("=");
    return { name: name!, functions: new Set(functions.split("|")) };
  });
// Not CPU work of the process: the profiler idling, and its own start (inspector `dispatch`).
const NOT_WORK = new Set(["(idle)", "dispatch"]);

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const byPart = new Map<string, number>();
let total = 0;
for (const [id, micros] of timeOnTop) {
  const stack: string[] = [];
  const functions: string[] = [];
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    stack.push(nameOf(byId.get(at)!));
    functions.push(byId.get(at)!.callFrame.functionName);
  }
  if (values.under !== undefined && !stack.some((name) => name.includes(values.under!))) continue;
  total += micros;
  self.set(stack[0]!, (self.get(stack[0]!) ?? 0) + micros);
  for (const name of new Set(stack)) inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
  if (parts.length > 0 && !NOT_WORK.has(functions[0]!)) {
    const part =
      parts.find(({ functions: names }) => functions.some((name) => names.has(name)))?.name ??
      (functions[0] === "(garbage collector)" ? "gc" : "rest");
    byPart.set(part, (byPart.get(part) ?? 0) + micros);
  }
}

const print = (title: string, times: Map<string, number>) => {
  process.stdout.write(`${title}\n`);
  for (const [name, micros] of [...times]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(values.top))) {
    const ms = (micros / 1000).toFixed(0).padStart(7);
    const share = ((micros / total) * 100).toFixed(1).padStart(5);
    process.stdout.write(`${ms} ms ${share}%  ${name}\n`);
  }
};
process.stdout.write(`${(total / 1000).toFixed(0)} ms sampled\n`);
if (parts.length > 0) {
  const per = Number(values.per ?? 0);
  const work = [...byPart.values()].reduce((sum, micros) => sum + micros, 0);
  const show = (micros: number) =>
    per > 0 ? `${(micros / per).toFixed(1)} µs` : `${(micros / 1000).toFixed(0)} ms`;
  process.stdout.write(
    `parts: ${[...parts.map(({ name }) => name), "gc", "rest"].map((name) => `${name} ${show(byPart.get(name) ?? 0)}`).join(", ")}; work ${show(work)}\n`,
  );
}
print("self", self);
print("inclusive", inclusive);
