#!/usr/bin/env node
// Runs the mode-change benchmark from its TypeScript source, through the Node transform that @backstage/cli ships.
require('@backstage/cli/config/nodeTransform.cjs');
require('./modeChangeBenchmark.ts')
  .main(process.argv.slice(2))
  // Done once the figures are printed: the backend's stop() leaves database pools' timers behind, which kept the
  // process (and the terminal) waiting for good.
  .then(() => process.exit(0))
  .catch(error => {
    process.stderr.write(
      `bench:mode-change failed: ${
        error && error.stack ? error.stack : error
      }\n`,
    );
    process.exit(1);
  });
