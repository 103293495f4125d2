/** The parts of a compliance run whose time is measured, in the order a run goes through them. */
export const COMPLIANCE_RUN_PHASES = [
  'state',
  'policies',
  'owners',
  'contexts',
  'read',
  'evaluate',
  'write',
  'touch',
  'touchCheck',
  'figures',
  'saveState',
] as const;

/** One of {@link COMPLIANCE_RUN_PHASES}. */
export type ComplianceRunPhase = (typeof COMPLIANCE_RUN_PHASES)[number];

/**
 * Where one run's time went, in milliseconds per phase: `read` is reading resources and stored results, `evaluate`
 * judging them, `write` storing results (with their figures, when kept by deltas), `touch` giving changed resources
 * new feed revisions, `touchCheck` making sure nothing but those touches was written meanwhile (so that the next run
 * need not read them back), `figures` counting every scope's figure afresh.
 */
export class ComplianceRunPhases {
  readonly ms: Record<ComplianceRunPhase, number> = Object.fromEntries(
    COMPLIANCE_RUN_PHASES.map(phase => [phase, 0]),
  ) as Record<ComplianceRunPhase, number>;

  /** Adds the time until `work` settles to `phase`. */
  async time<T>(phase: ComplianceRunPhase, work: Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work;
    } finally {
      this.ms[phase] += performance.now() - started;
    }
  }

  /** Adds the time since `started` (from `performance.now()`) to `phase`. */
  since(phase: ComplianceRunPhase, started: number): void {
    this.ms[phase] += performance.now() - started;
  }

  /** Whole milliseconds, for reports. */
  rounded(): Record<ComplianceRunPhase, number> {
    return Object.fromEntries(
      Object.entries(this.ms).map(([phase, ms]) => [phase, Math.round(ms)]),
    ) as Record<ComplianceRunPhase, number>;
  }
}
