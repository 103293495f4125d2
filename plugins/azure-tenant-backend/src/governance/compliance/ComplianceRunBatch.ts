import { AzureResourceRecord } from '@azure-tenant/plugin-azure-tenant-common';
import { ComplianceRunPhases } from './ComplianceRunPhases';
import {
  complianceSignature,
  ComplianceWriter,
  EvaluatedCompliance,
  FigureUpkeep,
  StoredComplianceSignature,
} from './DatabaseComplianceStore';

/** One run's writes: results compared with what is stored, written only when they changed. */
export class ComplianceRunBatch {
  evaluated = 0;
  changed = 0;
  removed = 0;
  /** Keys whose compliance as the catalog shows it changed. */
  readonly touched: string[] = [];

  constructor(
    private readonly evaluateOne: (
      record: AzureResourceRecord,
    ) => EvaluatedCompliance,
    private readonly store: ComplianceWriter,
    readonly at: Date,
    private readonly options: {
      markUnchanged: boolean;
      /** Keeps that day's figures up to date with every write, by deltas. */
      figures?: FigureUpkeep;
    },
    readonly phases: ComplianceRunPhases = new ComplianceRunPhases(),
  ) {}

  async evaluate(
    records: AzureResourceRecord[],
    stored: Map<string, StoredComplianceSignature>,
  ): Promise<void> {
    const changed: EvaluatedCompliance[] = [];
    const unchanged: string[] = [];
    const started = performance.now();
    for (const record of records) {
      const result = this.evaluateOne(record);
      const signature = complianceSignature(result);
      const before = stored.get(result.key);
      if (before?.row === signature.row) {
        unchanged.push(result.key);
      } else {
        changed.push(result);
        if (before?.feed !== signature.feed) this.touched.push(result.key);
      }
    }
    this.phases.since('evaluate', started);
    this.evaluated += records.length;
    this.changed += changed.length;
    const writing = performance.now();
    await this.store.save(changed, this.at, this.options.figures);
    if (this.options.markUnchanged) {
      await this.store.markEvaluated(this.at, unchanged);
    }
    this.phases.since('write', writing);
  }

  /** Drops the stored results in a page's key range whose resources the page did not list. */
  async removeUnlisted(
    stored: Map<string, StoredComplianceSignature>,
    listed: AzureResourceRecord[],
  ): Promise<void> {
    const keys = new Set(listed.map(record => record.resourceId.toLowerCase()));
    await this.remove([...stored.keys()].filter(key => !keys.has(key)));
  }

  async remove(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.phases.time(
      'write',
      this.store.remove(keys, this.options.figures),
    );
    this.removed += keys.length;
  }
}
