#!/usr/bin/env node
// Checks a subscription's stock Overview at 10,000 resources and shoots it (see bigSubscriptionScreenshot.ts), through the Node transform that @backstage/cli ships.
require('@backstage/cli/config/nodeTransform.cjs');
require('./bigSubscriptionScreenshot.ts')
  .main(process.argv.slice(2))
  .then(() => process.exit(0))
  .catch(error => {
    process.stderr.write(
      `big subscription screenshot failed: ${
        error && error.stack ? error.stack : error
      }\n`,
    );
    process.exit(1);
  });
