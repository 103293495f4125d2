#!/usr/bin/env node
// Takes the screenshots of the tag governance docs (see tagGovernanceScreenshots.ts), through the Node transform that @backstage/cli ships.
require('@backstage/cli/config/nodeTransform.cjs');
require('./tagGovernanceScreenshots.ts')
  .main(process.argv.slice(2))
  .then(() => process.exit(0))
  .catch(error => {
    process.stderr.write(
      `tag governance screenshots failed: ${
        error && error.stack ? error.stack : error
      }\n`,
    );
    process.exit(1);
  });
