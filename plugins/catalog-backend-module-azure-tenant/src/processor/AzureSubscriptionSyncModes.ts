import { SyncMode } from '@azure-tenant/plugin-azure-tenant-common';
import { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import { AzureTenantCatalogClient } from '../client/AzureTenantCatalogClient';

/**
 * The options of {@link AzureSubscriptionSyncModes}.
 *
 * @public
 */
export interface AzureSubscriptionSyncModesOptions {
  client: Pick<AzureTenantCatalogClient, 'listSubscriptions'>;
  logger: LoggerService;
  /** How long a listing (or a failure to get one) is reused. Defaults to 10 seconds. */
  ttlMs?: number;
  /** Defaults to `Date.now`. */
  now?: () => number;
}

type Listing =
  | { ok: true; modes: Map<string, SyncMode>; at: number }
  | { ok: false; error: unknown; at: number };

/**
 * The current sync mode of each subscription, from `GET /subscriptions`, kept for a few seconds so that processing
 * many entities costs one request. Only one request is in flight at a time. A failure is also kept for the same
 * time, so an unreachable backend is not asked once per entity, and is logged once per attempt.
 *
 * @public
 */
export class AzureSubscriptionSyncModes {
  private readonly client: Pick<AzureTenantCatalogClient, 'listSubscriptions'>;
  private readonly logger: LoggerService;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private listing?: Listing;
  private inFlight?: Promise<Listing>;

  constructor(options: AzureSubscriptionSyncModesOptions) {
    const { client, logger, ttlMs = 10_000, now = Date.now } = options;
    this.client = client;
    this.logger = logger;
    this.ttlMs = ttlMs;
    this.now = now;
  }

  /**
   * The sync mode of a subscription, or `undefined` when the backend does not know the subscription. Throws when the
   * backend could not be asked. `maxAgeMs` asks for a listing younger than the usual time to live.
   */
  async get(
    subscriptionId: string,
    options: { maxAgeMs?: number } = {},
  ): Promise<SyncMode | undefined> {
    const listing = await this.current(
      Math.min(this.ttlMs, options.maxAgeMs ?? this.ttlMs),
    );
    if (!listing.ok) {
      throw listing.error;
    }
    return listing.modes.get(subscriptionId.toLowerCase());
  }

  private async current(maxAgeMs: number): Promise<Listing> {
    if (this.listing && this.now() - this.listing.at < maxAgeMs) {
      return this.listing;
    }
    if (!this.inFlight) {
      this.inFlight = this.fetch().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  private async fetch(): Promise<Listing> {
    let listing: Listing;
    try {
      const subscriptions = await this.client.listSubscriptions();
      listing = {
        ok: true,
        modes: new Map(
          subscriptions.map(s => [s.subscriptionId.toLowerCase(), s.syncMode]),
        ),
        at: this.now(),
      };
    } catch (error) {
      this.logger.warn(
        `Could not read the sync modes of Azure subscriptions, Azure entities are left as they are: ${stringifyError(
          error,
        )}`,
        { errorName: (error as Error)?.name ?? 'Error' },
      );
      listing = { ok: false, error, at: this.now() };
    }
    this.listing = listing;
    return listing;
  }
}
