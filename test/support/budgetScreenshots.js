#!/usr/bin/env node
// Takes the screenshots of docs/budgets.md (see budgetScreenshots.ts), through the Node transform that @backstage/cli ships.
require('@backstage/cli/config/nodeTransform.cjs');
require('./budgetScreenshots.ts')
  .main(process.argv.slice(2))
  .then(() => process.exit(0))
  .catch(error => {
    process.stderr.write(
      `budget screenshots failed: ${
        error && error.stack ? error.stack : error
      }\n`,
    );
    process.exit(1);
  });
