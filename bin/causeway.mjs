#!/usr/bin/env node
// The `causeway` command. Causeway ships TypeScript sources, so tsx compiles them on the fly;
// registering it first lets everything below import `.ts` files.
import { register } from 'tsx/esm/api';

register();
// The runtime's timers are unref'd (a pending timer must not keep a node alive), so a
// command waiting on one alone, e.g. a node's startup wait before it connects, would see the
// event loop run dry and Node exit mid-command. A command runs until it returns its code.
const keepAlive = setInterval(() => undefined, 2 ** 30);
const { run } = await import('../cli/main.ts');
const code = await run(process.argv.slice(2));
clearInterval(keepAlive);
// Explicit: a command is done when it says so, even if a library left a handle open.
process.exit(code);
