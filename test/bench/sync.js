#!/usr/bin/env node
// Runs the sync benchmark from its TypeScript source, through the Node transform that @backstage/cli ships.
// `--replica <json>` is one replica process of `--replicas N`, started by the benchmark itself.
require('@backstage/cli/config/nodeTransform.cjs');
const bench = require('./syncBenchmark.ts');
const args = process.argv.slice(2);
(args[0] === '--replica' ? bench.replica(args[1]) : bench.main(args)).catch(
  error => {
    process.stderr.write(
      `bench:sync failed: ${error && error.stack ? error.stack : error}\n`,
    );
    process.exit(1);
  },
);
