#!/usr/bin/env node
// Runs the sync benchmark from its TypeScript source, through the Node transform that @backstage/cli ships.
require('@backstage/cli/config/nodeTransform.cjs');
require('./syncBenchmark.ts')
  .main(process.argv.slice(2))
  .catch(error => {
    process.stderr.write(
      `bench:sync failed: ${error && error.stack ? error.stack : error}\n`,
    );
    process.exit(1);
  });
