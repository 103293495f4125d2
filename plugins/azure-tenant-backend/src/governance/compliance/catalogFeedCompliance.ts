import { AzureResourceRecord } from '@azure-tenant/plugin-azure-tenant-common';
import { ComplianceReader } from '../ComplianceStore';
import { feedCompliance } from './DatabaseComplianceStore';

/**
 * The catalog feed's records with their tag compliance (status, and each violation's policy, key and code), for those
 * that have been evaluated. A change of it reaches the feed as a new revision (the evaluator touches the resource).
 */
export async function withCompliance(
  records: AzureResourceRecord[],
  compliance: Pick<ComplianceReader, 'getCompliance'> | undefined,
): Promise<AzureResourceRecord[]> {
  if (!compliance || records.length === 0) return records;
  const found = await compliance.getCompliance(
    records.map(record => record.resourceId.toLowerCase()),
  );
  return records.map(record => {
    const evaluated = found.get(record.resourceId.toLowerCase());
    return evaluated
      ? { ...record, compliance: feedCompliance(evaluated) }
      : record;
  });
}
