/**
 * cli.ts (`npx tsx testbed/images/cli.ts`) builds the real node's images when the cache lacks them
 * and prints each archive with its build time (0 s: from the cache). CI runs it as its own step.
 */
import { ensureImages } from './images.js';

const started = Date.now();
ensureImages().then(
  (built) => {
    for (const a of built.archives) console.log(`${a.name.padEnd(6)} ${(a.builtMs / 1000).toFixed(1).padStart(6)} s  ${a.tags.join(', ')}  ${a.path}`);
    console.log(`images ready in ${((Date.now() - started) / 1000).toFixed(1)} s; project image ${built.bindyImage}`);
  },
  (err: Error) => {
    console.error(err.message);
    process.exit(1);
  },
);
