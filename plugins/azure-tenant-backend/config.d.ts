import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';
import { HumanDuration } from '@backstage/types';

export interface Config {
  /**
   * Configuration of the Azure tenant backend plugin. Every duration in it takes the same forms: a duration object
   * such as `{ minutes: 5 }`, an ISO 8601 duration (`PT5M`) or a string like `5m` or `30s`. A wrong value stops the
   * backend at startup with a message naming the key. Without `clientId` and a client secret or certificate (for
   * example when only `sync` or `spend` is set) the backend still starts: the plugin logs a warning, answers
   * `GET /api/azure-tenant/health` with `configured: false` and the reason, and connects and syncs nothing.
   */
  azureTenant?: {
    /**
     * The application (client) id of the portal's multi-tenant app registration in Microsoft Entra ID, a GUID.
     * Required to connect tenants.
     */
    clientId?: string;

    /**
     * A client secret of the app registration. Give either this or `clientCertificate`.
     * @visibility secret
     */
    clientSecret?: string;

    /**
     * A certificate credential of the app registration, instead of a client secret: the PEM text of the certificate
     * and its private key, together.
     * @visibility secret
     */
    clientCertificate?: string;

    /**
     * Microsoft Entra ID's authority host. Defaults to `https://login.microsoftonline.com`. Must be HTTPS.
     */
    authorityHost?: string;

    /**
     * Azure Resource Manager's endpoint. Defaults to `https://management.azure.com`. Must be HTTPS.
     */
    armEndpoint?: string;

    /**
     * The path of a PEM file with an extra CA certificate to trust for the authority host and ARM, on top of the
     * system's CAs; for a local emulator or a TLS-inspecting proxy. Certificate verification is never turned off.
     */
    caCertFile?: string;

    /**
     * How long one try of a request to Entra ID or Azure may take before it is abandoned and retried like a dropped
     * connection, e.g. `{ seconds: 60 }` (the default) or `60s`. At least a second; 0 turns it off.
     */
    requestTimeout?: HumanDuration | string | 0;

    /**
     * The Azure roles assigned to the portal's service principal on each subscription the consenting user owns,
     * by built-in role name or role definition GUID. Defaults to `Reader` and `Tag Contributor`.
     */
    roles?: string[];

    /**
     * A Microsoft Partner Network id (Partner Admin Link). When set, the portal associates it with its credentials in
     * each connected tenant. It gives no one new data.
     */
    partnerId?: string;

    /**
     * A secret that protects onboarding state (the PKCE verifier is derived from it and never stored). At least 32
     * characters. Defaults to a key derived from the client secret or certificate.
     * @visibility secret
     */
    stateSecret?: string;

    /** Settings of the consent and role-assignment flow. */
    onboarding?: {
      /**
       * The tenant segment of the authorize URL: `organizations` (any work account, the default) or a tenant id.
       */
      tenant?: string;
      /**
       * The redirect URI registered on the app registration. Defaults to
       * `{backend.baseUrl}/api/azure-tenant/onboarding/callback`.
       */
      redirectUri?: string;
      /**
       * Where the browser goes when onboarding has started. Defaults to `{app.baseUrl}/azure-tenants`; the onboarding
       * id is added as the `onboarding` query parameter.
       */
      completionUrl?: string;
      /**
       * How often a role assignment is retried while Azure answers `PrincipalNotFound` (a new service principal takes
       * time to replicate): 0 to 100. Defaults to 6.
       */
      principalNotFoundRetries?: number;
      /** The first delay between those retries, doubled each time, e.g. `2s` (the default). */
      principalNotFoundRetryDelay?: HumanDuration | string;
      /**
       * The first delay between those retries, in milliseconds.
       *
       * @deprecated Use `principalNotFoundRetryDelay`, a duration, instead; still read when that is not set.
       */
      principalNotFoundRetryDelayMs?: number;
    };

    /** The scheduled sync of resources and tags. */
    sync?: {
      /**
       * How often each subscription is synced, e.g. `{ hours: 1 }` (the default), `PT1H` or `1h`. At least a minute.
       * *Sync now* syncs a subscription at once, whatever this says.
       */
      frequency?: HumanDuration | string;
      /** How long one run of the sync may take, e.g. `30m` (the default). At least a second. */
      timeout?: HumanDuration | string;
      /** How many subscriptions are synced at the same time: 1 to 32. Defaults to 4. */
      concurrency?: number;
      /** Resources per page read from Azure Resource Manager (`$top`): 1 to 1000. Defaults to 1000. */
      pageSize?: number;
      /**
       * Below this many remaining reads in a subscription's ARM budget (`x-ms-ratelimit-remaining-subscription-reads`)
       * the sync slows down, before Azure throttles it: 0 to 100000. Defaults to 100.
       */
      minRemainingReads?: number;
      /**
       * While the portal has lost access to a subscription or its tenant (consent revoked, a role removed, the
       * subscription disabled, deleted or moved), its resource and spend syncs back off instead of running at full
       * rate: the first retry after `frequency`, each next one after twice the previous wait, up to this, e.g.
       * `{ hours: 24 }` (the default) or `6h`. At least a minute. A sync that succeeds resumes the normal schedule;
       * *Sync now* tries at once.
       */
      lostAccessMaxInterval?: HumanDuration | string;
      /**
       * How long after a subscription's last full listing the next sync lists it in full again, whatever Resource
       * Graph's change feed said: the reconcile that catches a change the feed missed. Defaults to `{ hours: 24 }`;
       * at least `frequency`. Between reconciles, syncs read only the changes (see `changeFeed`).
       */
      reconcileInterval?: HumanDuration | string;
      /**
       * Incremental sync from Azure Resource Graph's change tables (`resourcechanges`, `resourcecontainerchanges`):
       * one query for many subscriptions of a tenant instead of listing each in full (docs/operations.md,
       * "Incremental sync").
       */
      changeFeed?: {
        /** Whether syncs read the change feed between full listings. Defaults to true; false lists in full every time. */
        enabled?: boolean;
        /**
         * How far before Azure's time of a run the next run reads again, for Resource Graph's ingestion delay
         * (a change read twice writes nothing). Defaults to `{ minutes: 5 }`; at most an hour.
         */
        overlap?: HumanDuration | string;
      };
      /** Which resource types are synced, by ARM type such as `Microsoft.Compute/virtualMachines` (any case). */
      resourceTypes?: {
        /** Only these types. All types when absent. */
        include?: string[];
        /** Never these types. */
        exclude?: string[];
      };
      /**
       * How often each replica looks for due subscriptions to claim, e.g. `{ seconds: 15 }` (the default) or `15s`. At
       * least a second. Replicas on one database share the subscriptions: each claims its share of those due.
       */
      claimInterval?: HumanDuration | string;
      /**
       * How long a replica's claim on the subscriptions it syncs lasts unless renewed (every third of it), e.g.
       * `{ minutes: 2 }` (the default). At least 5 seconds. When a replica dies, another one syncs its subscriptions
       * after this.
       */
      lease?: HumanDuration | string;
    };

    /**
     * The budget of Azure's quotas that all replicas share through the database, so that together they stay under
     * Azure's limits. Each quota is a token bucket: `capacity` tokens at most, `refillPerSecond` added each second. The
     * defaults sit a little under Azure's documented limits (docs/operations.md, Several replicas).
     */
    quotas?: {
      /** Whether requests wait for the shared budget. Defaults to true. */
      enabled?: boolean;
      /**
       * ARM reads per principal and subscription (and per principal at tenant level). Azure: 250, refilling 25 per
       * second. Defaults to a capacity of 225, refilling 22.5 per second.
       */
      armReads?: {
        /** A whole number from 1 to 1000000. */
        capacity?: number;
        /** Above 0. */
        refillPerSecond?: number;
      };
      /**
       * Resource Graph queries per principal. Azure: 15 in any 5 seconds. Defaults to a capacity of 7, refilling 1.4
       * per second (at most 14 in any 5 seconds).
       */
      resourceGraph?: {
        /** A whole number from 1 to 1000000. */
        capacity?: number;
        /** Above 0. */
        refillPerSecond?: number;
      };
      /**
       * Cost Management query processing units (QPU) per tenant, one bucket per window of Azure's (12 per 10 seconds,
       * 60 per minute, 600 per hour). Keep each bucket's capacity plus its refill over its window at or under Azure's
       * quota. Defaults: 5 + 0.6/s, 10 + 0.75/s, 50 + 0.15/s.
       */
      costManagement?: {
        /** The 10-second window. */
        per10Seconds?: {
          /** A whole number from 1 to 1000000. */
          capacity?: number;
          /** Above 0. */
          refillPerSecond?: number;
        };
        /** The one-minute window. */
        perMinute?: {
          /** A whole number from 1 to 1000000. */
          capacity?: number;
          /** Above 0. */
          refillPerSecond?: number;
        };
        /** The one-hour window. */
        perHour?: {
          /** A whole number from 1 to 1000000. */
          capacity?: number;
          /** Above 0. */
          refillPerSecond?: number;
        };
      };
    };

    /** The spend sync from Azure Cost Management. */
    spend?: {
      /**
       * When the spend of every subscription is read, as a scheduler definition. Defaults to
       * `{ frequency: { hours: 6 }, timeout: { minutes: 30 } }`. Give both `frequency` and `timeout`, as durations
       * (`6h`, `PT6H`, `{ hours: 6 }`); `frequency` may also be `{ cron: '0 6 * * *' }`.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** Days of spend read from Azure, counting today: 1 to 366. Defaults to 90. */
      lookbackDays?: number;
      /** The most recent days read again on every sync, because Azure still restates them. Defaults to 5. */
      restatementDays?: number;
      /** Subscriptions synced at the same time: 1 to 32. Defaults to 2. */
      concurrency?: number;
    };

    /**
     * The savings sync (docs/budgets.md): Azure Advisor's cost recommendations from Resource Graph (not for
     * subscriptions in sync mode `none`) and the budgets defined in Azure (for every subscription), with Reader.
     */
    savings?: {
      /**
       * When they are read for every subscription, as a scheduler definition. Defaults to
       * `{ frequency: { hours: 6 }, timeout: { minutes: 30 } }`, the first run at start and after a tenant is
       * connected. Give both `frequency` and `timeout`, as durations (`6h`, `PT6H`, `{ hours: 6 }`); `frequency` may
       * also be `{ cron: '0 6 * * *' }`.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };

    /** Budgets, spend alerts and anomalies (docs/budgets.md). */
    budgets?: {
      /**
       * Budgets kept in Git: evaluated and alerted like those created in the portal, where they are read-only. Each
       * `id` is stable (lowercase letters, digits and dashes), so that alerts already sent are not sent again.
       * Read and checked at startup, with the rules of `POST /budgets` (a wrong entry stops the backend with a message
       * naming it); an entry removed here is removed from the portal at the next start. Whether the scope and the
       * owner exist is not checked, since the catalog may not be up yet (docs/budgets.md, "Budgets in app-config").
       */
      declared?: Array<{
        /**
         * Stable id: 1 to 64 lowercase letters, digits and dashes, not starting or ending with a dash, and not a GUID
         * (GUIDs name the budgets created in the portal), e.g. `team-a-monthly`.
         */
        id: string;
        /** Shown in lists and notifications, 1–200 characters. */
        name: string;
        /**
         * What the budget covers, by `kind`:
         * - `subscription`: `subscriptionId`;
         * - `resourceGroup`: `subscriptionId` and `resourceGroup`;
         * - `entity`: `entityRef`, a catalog entity with its kind (e.g. `group:default/team-a`), and all it owns;
         * - `customGroup`: `name`, and at least one of `subscriptionIds`, `resourceGroups` and `tags`.
         */
        scope: {
          kind: 'subscription' | 'resourceGroup' | 'entity' | 'customGroup';
          /** A subscription id (a GUID), for `subscription` and `resourceGroup`. */
          subscriptionId?: string;
          /** A resource group's name, for `resourceGroup`. */
          resourceGroup?: string;
          /** A catalog entity's ref, for `entity`. */
          entityRef?: string;
          /** The custom group's name, for `customGroup`. */
          name?: string;
          /** Whole subscriptions of a custom group. */
          subscriptionIds?: string[];
          /** Resource groups of a custom group. */
          resourceGroups?: Array<{
            subscriptionId: string;
            resourceGroup: string;
          }>;
          /** Resources of a custom group by tag: `key` (any case), and `value` (exact; any value when absent). */
          tags?: Array<{ key: string; value?: string }>;
        };
        /** The budget for each period, at least 0.01 and at most 1e12, in `currency`. */
        amount: number;
        /** ISO 4217, e.g. `USD`: the scope's spend currency, or one that `exchangeRates` converts it to. */
        currency: string;
        /**
         * The reporting period: `monthly`; `quarterly` or `yearly` with `startMonth` (1–12, default 1) for a fiscal
         * year; or `custom` from `startDate` to `endDate` (`YYYY-MM-DD`, inclusive, at most 5 years).
         */
        period: {
          type: 'monthly' | 'quarterly' | 'yearly' | 'custom';
          /** The first month of a quarter or year, 1–12. */
          startMonth?: number;
          /** The first day of a custom period, `YYYY-MM-DD`. */
          startDate?: string;
          /** The last day of a custom period, `YYYY-MM-DD`. */
          endDate?: string;
        };
        /**
         * Up to 10 thresholds, each a percent of `amount` (above 0, at most 1000) of `actual` spend or of the
         * `forecast`. Defaults to actual 50, 80 and 100 and forecast 100.
         */
        thresholds?: Array<{ type: 'actual' | 'forecast'; percent: number }>;
        /**
         * The group or user that owns the budget and is notified, e.g. `group:default/team-a` (a ref without a kind
         * is a group). Required here, unlike in the portal: the catalog is not asked at startup.
         */
        owner: string;
      }>;
      /**
       * Exchange rates for budgets whose currency differs from their scope's spend: `rate` units of `to` per unit of
       * `from`. Without a rate, such a budget is refused (or shown as `currency-mismatch`), never silently mixed.
       */
      exchangeRates?: Array<{
        /** ISO 4217 code of the spend, e.g. `USD`. */
        from: string;
        /** ISO 4217 code of the budget, e.g. `EUR`. */
        to: string;
        /** Units of `to` for one unit of `from`, above 0. */
        rate: number;
      }>;
      /** When budgets are evaluated besides after every spend sync. Defaults to every 30 minutes. */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /**
       * Spend anomaly alerts: a day whose spend is far above its recent pattern notifies the owner of the
       * subscription's entity, at most once per subscription and day (docs/budgets.md, "Anomalies").
       */
      anomalies?: {
        /** Whether days are checked for anomalies. Defaults to true. */
        enabled?: boolean;
        /** Days of history a day is compared with: 14 to 90. Defaults to 28. */
        historyDays?: number;
        /**
         * How many spreads (median absolute deviations × 1.4826) above its expected value a day must be: above 0, at
         * most 20. Higher is less sensitive. Defaults to 4.
         */
        sensitivity?: number;
        /** How far above its expected value a day must also be, in percent: 0 to 10000. Defaults to 50. */
        minimumIncreasePercent?: number;
        /** How far above its expected value a day must also be, in the spend's currency: 0 or more. Defaults to 10. */
        minimumAmount?: number;
      };
    };

    /** Tag governance: tag policies, compliance and suggested fixes (docs/tag-governance.md). */
    tagGovernance?: {
      /**
       * Tag policies kept in Git: evaluated like those made in the portal, where they are read-only (id
       * `config:<id>`). Read and checked at startup with the rules of `POST /tag-policies`; a wrong entry stops the
       * backend with a message naming its index and field. An entry removed here is removed from the portal at the
       * next start.
       */
      policies?: Array<{
        /** Stable id: 1 to 64 lowercase letters, digits and dashes, not starting or ending with a dash, e.g. `owner`. */
        id: string;
        /** Shown with each violation, 1 to 200 characters, e.g. `Owner is a catalog team`. */
        name: string;
        /** Why the policy exists, for people. */
        description?: string;
        /** The tag name in its canonical spelling, e.g. `owner`: a valid Azure tag name. */
        key: string;
        /** Up to 20 other names of the same key (e.g. `owned-by`), matched case-insensitively; none equal to `key`. */
        aliases?: string[];
        /** Whether every resource in scope must have the key. Defaults to false. */
        required?: boolean;
        /**
         * The values allowed, by `kind`; absent: any value.
         * - `list`: one of `values` (1 to 200, each at most 256 characters), compared case-insensitively unless
         *   `caseSensitive`;
         * - `pattern`: `pattern`, a regular expression (at most 500 characters) that must match the whole value, in
         *   RE2's syntax (JavaScript's without lookarounds and backreferences), matched in linear time;
         * - `catalog-entity`: the value names a catalog group or user (`entityKinds`, default both).
         */
        values?: {
          kind: 'list' | 'pattern' | 'catalog-entity';
          /** The allowed values, for `list`. */
          values?: string[];
          /** Whether `list` compares values with their case. Defaults to false. */
          caseSensitive?: boolean;
          /** The regular expression, for `pattern`. */
          pattern?: string;
          /** `group`, `user` or both, for `catalog-entity`. */
          entityKinds?: Array<'group' | 'user'>;
        };
        /** Where a resource without the key should take it from. */
        inherit?:
          | 'resource-group'
          | 'subscription'
          | 'resource-group-then-subscription';
        /** Which resources the policy covers; all parts apply together, none means every resource. */
        scope?: {
          /** Subscription ids (GUIDs). */
          subscriptionIds?: string[];
          /** Resource group names, case-insensitively, with `*` and `?` wildcards, e.g. `rg-prod-*`; at most 90 characters. */
          resourceGroupPattern?: string;
          /** ARM types, e.g. `Microsoft.Compute/virtualMachines`. */
          resourceTypes?: string[];
        };
      }>;
      /**
       * Bulk application of suggested fixes (`POST /tag-fixes`). Writes to Azure are paced per subscription with token
       * buckets like Azure Resource Manager's own, per security principal and subscription (Microsoft Learn,
       * "Understand how Azure Resource Manager throttles requests"), so that a large fix does not meet 429s. Lower the
       * sizes to leave room for other callers of the portal's app registration.
       */
      fixes?: {
        /** ARM writes (a Merge, and a Delete when a fix removes a tag) per subscription. Defaults to ARM's 200, refilling 10 per second. */
        writes?: {
          /** Writes that may go at once: 1 to 100000. */
          capacity?: number;
          /** Writes added back per second, above 0. */
          refillPerSecond?: number;
        };
        /** ARM reads (each write reads the resource's tags first) per subscription. Defaults to ARM's 250, refilling 25 per second. */
        reads?: {
          /** Reads that may go at once: 1 to 100000. */
          capacity?: number;
          /** Reads added back per second, above 0. */
          refillPerSecond?: number;
        };
        /** Resources of one job changed at once: 1 to 32. Defaults to 4. */
        concurrency?: number;
        /** The most resources one job may change (a larger selection is refused with a 400): 1 to 1000000. Defaults to 10000. */
        maxResources?: number;
      };
    };

    /**
     * Tenants and subscriptions declared statically, for teams that grant the portal's roles with
     * infrastructure-as-code instead of the consent flow. They are registered at startup.
     */
    tenants?: Array<{
      /** The Entra ID tenant id. */
      tenantId: string;
      /** A name to show for the tenant. */
      displayName?: string;
      /** The tenant's subscriptions to sync. */
      subscriptions: Array<{
        /** The subscription id. */
        subscriptionId: string;
        /** A name to show until the first sync reads Azure's. */
        displayName?: string;
        /** The sync mode: `none`, `no-tags`, `read-tags` or `read-write-tags` (the default). */
        syncMode?: 'none' | 'no-tags' | 'read-tags' | 'read-write-tags';
      }>;
    }>;
  };
}
