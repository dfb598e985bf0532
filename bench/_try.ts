import { runBare, runCauseway } from './savina/runners.ts';
import { workloads } from './savina.bench.ts';
const keep = setInterval(() => {}, 1e9);
for (const w of workloads(true)) {
  const b = await runBare(w);
  const t0 = performance.now();
  const c = await runCauseway(w);
  console.log(w.name, Math.round(b), Math.round(c), ((performance.now() - t0)/1000).toFixed(2) + 's');
}
clearInterval(keep);
