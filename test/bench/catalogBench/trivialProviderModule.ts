/*
 * The catalog's own limit on this machine for `npm run bench:catalog`: a provider that hands the catalog
 * `bench.trivialEntities` plain Resource entities in one full mutation, with an owner and nothing else that relates
 * them, so the time until they are all in `final_entities` is the catalog's processing and stitching alone.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
} from '@backstage/catalog-model';
import {
  catalogProcessingExtensionPoint,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';

/** The provider name of the trivial entities (the `source_key` of their `refresh_state_references`). */
export const TRIVIAL_PROVIDER_NAME = 'bench-trivial';

class TrivialEntityProvider implements EntityProvider {
  constructor(private readonly count: number) {}

  getProviderName() {
    return TRIVIAL_PROVIDER_NAME;
  }

  async connect(connection: EntityProviderConnection) {
    const location = `url:https://bench.invalid/${TRIVIAL_PROVIDER_NAME}`;
    await connection.applyMutation({
      type: 'full',
      entities: Array.from({ length: this.count }, (_, i) => ({
        locationKey: TRIVIAL_PROVIDER_NAME,
        entity: {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Resource',
          metadata: {
            name: `bench-entity-${i}`,
            annotations: {
              [ANNOTATION_LOCATION]: location,
              [ANNOTATION_ORIGIN_LOCATION]: location,
            },
          },
          spec: { type: 'bench', owner: 'group:default/bench' },
        },
      })),
    });
  }
}

/** The catalog module of the trivial provider; `bench.trivialEntities` says how many entities it provides. */
export const trivialProviderModule = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'bench-trivial',
  register(reg) {
    reg.registerInit({
      deps: {
        catalogProcessing: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ catalogProcessing, config }) {
        const count = config.getNumber('bench.trivialEntities');
        catalogProcessing.addEntityProvider(new TrivialEntityProvider(count));
      },
    });
  },
});
