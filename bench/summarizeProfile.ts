/**
 * `npx tsx bench/summarizeProfile.ts <file.cpuprofile> [--top N] [--filter text] [--callers text]`:
 * the functions and files that took the most CPU in a V8 profile (as written by
 * `npm run bench -- --cpu-prof`), by self time and by total time (self plus callees, each sample
 * counted once per function). `--callers` also lists who called the functions whose label holds
 * the text, by the total time spent in them from each caller.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

const argv = process.argv.slice(2);
const option = (name: string) => {
  const index = argv.indexOf(name);
  return index === -1 ? undefined : argv[index + 1];
};
const file = argv[0];
if (file === undefined) {
  process.stderr.write('usage: summarizeProfile <file.cpuprofile> [--top N] [--filter text]\n');
  process.exit(2);
}
const top = Number(option('--top') ?? 30);
const filter = option('--filter');
const callersOf = option('--callers');

const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parent.set(child, node.id);

const shortUrl = (url: string) => {
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) return url.slice(modules + 'node_modules/'.length);
  const src = url.search(/\/(src|bench)\//);
  return src === -1 ? url.replace(/^file:\/\//, '') : url.slice(src + 1);
};
const label = (node: ProfileNode) =>
  `${node.callFrame.functionName || '(anonymous)'} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;

// Each sample's time is the delta to the next sample.
const selfUs = new Map<number, number>();
profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index + 1] ?? 0;
  selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
});
const totalUs = profile.endTime - profile.startTime;

const byCaller = new Map<string, number>();
const selfByFunction = new Map<string, number>();
const selfByFile = new Map<string, number>();
const totalByFunction = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  const name = label(node);
  selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + us);
  const fileName = shortUrl(node.callFrame.url) || `(${node.callFrame.functionName})`;
  const pkg = fileName.startsWith('@')
    ? fileName.split('/').slice(0, 2).join('/')
    : fileName.includes('/') && !/^(src|bench)\//.test(fileName)
      ? fileName.split('/')[0]!
      : fileName;
  selfByFile.set(pkg, (selfByFile.get(pkg) ?? 0) + us);
  const seen = new Set<string>();
  let callerCounted = false;
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const ancestor = label(byId.get(at)!);
    if (callersOf !== undefined && !callerCounted && ancestor.includes(callersOf)) {
      const caller = parent.get(at);
      const callerLabel = caller === undefined ? '(none)' : label(byId.get(caller)!);
      byCaller.set(callerLabel, (byCaller.get(callerLabel) ?? 0) + us);
      callerCounted = true;
    }
    if (seen.has(ancestor)) continue;
    seen.add(ancestor);
    totalByFunction.set(ancestor, (totalByFunction.get(ancestor) ?? 0) + us);
  }
}

const print = (title: string, entries: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  const rows = [...entries]
    .filter(([name]) => filter === undefined || name.includes(filter))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
  for (const [name, us] of rows) {
    const percent = ((us / totalUs) * 100).toFixed(1).padStart(5);
    process.stdout.write(`${percent} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}\n`);
  }
};

process.stdout.write(`${file}: ${(totalUs / 1000).toFixed(0)} ms profiled\n`);
print('self time by package or file', selfByFile);
print('self time by function', selfByFunction);
print('total time by function', totalByFunction);
if (callersOf !== undefined) print(`callers of ${callersOf}`, byCaller);
