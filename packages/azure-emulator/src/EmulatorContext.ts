import { CostModel } from './cost/CostModel';
import { AuthorizationCodeStore } from './entra/authorizationCodes';
import { SigningKey } from './entra/signingKey';
import { EmulatorClock } from './model/EmulatorClock';
import { EmulatorState } from './model/EmulatorState';

/**
 * What the authorize and admin consent endpoints do when consent is needed.
 *
 * @public
 */
export type ConsentDecision = 'prompt' | 'accept' | 'deny';

/** Settings that can change while the emulator runs. */
export interface EmulatorSettings {
  /** `prompt` shows the consent page; `accept` and `deny` answer it without a click. */
  consentDecision: ConsentDecision;
  /** Rows per Cost Management page before `nextLink`. */
  costQueryPageSize: number;
  /** Default (and maximum) resources per ARM list page. */
  resourcePageSize: number;
  /** Rows per Resource Graph page before `$skipToken`. */
  resourceGraphPageSize: number;
}

/** Everything the handlers share. */
export interface EmulatorContext {
  /** Replaced on reset. */
  state: EmulatorState;
  costModel: CostModel;
  readonly clock: EmulatorClock;
  readonly signingKey: SigningKey;
  readonly baseUrl: string;
  readonly settings: EmulatorSettings;
  readonly authorizationCodes: AuthorizationCodeStore;
}
