#!/usr/bin/env node
// Runs the change-feed benchmark from its TypeScript source, through the Node transform that @backstage/cli ships.
require('@backstage/cli/config/nodeTransform.cjs');
require('./changeFeedBenchmark.ts')
  .main(process.argv.slice(2))
  .catch(error => {
    process.stderr.write(
      `bench:change-feed failed: ${
        error && error.stack ? error.stack : error
      }\n`,
    );
    process.exit(1);
  });
