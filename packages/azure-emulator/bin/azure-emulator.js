#!/usr/bin/env node
/*
 * Runs the emulator from its TypeScript source, without a build step, through the Node
 * transform that @backstage/cli ships.
 */
require('@backstage/cli/config/nodeTransform.cjs');

require('../src/cli')
  .runCli(process.argv.slice(2))
  .catch(error => {
    process.stderr.write(
      `azure-emulator: ${error && error.stack ? error.stack : error}\n`,
    );
    process.exit(1);
  });
