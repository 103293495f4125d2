import { createApp } from '@backstage/frontend-defaults';
import { signInModule } from './modules/signInModule';

/**
 * The demo portal on Backstage's new frontend system. The catalog, org, user settings and Azure tenant plugins are
 * discovered from this package's dependencies (`app.packages: all` in app-config.yaml).
 */
export default createApp({
  features: [signInModule],
});
