import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import { ShowbackReport } from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantApi, ShowbackQuery, azureTenantApiRef } from '../api';
import { CsvDownload, useCsvDownload } from './useSpendCsvDownload';

/** The state of a showback request. */
export interface ShowbackState {
  loading: boolean;
  error?: Error;
  report?: ShowbackReport;
  retry: () => void;
}

/**
 * Loads the showback of a range of months, and again whenever the range or owner changes. An answer to an earlier
 * query that arrives late is dropped, so the page never shows months the user has already left.
 *
 * @param query - `undefined` while there is nothing to ask (e.g. the range is not valid).
 */
export function useShowback(query: ShowbackQuery | undefined): ShowbackState {
  const api = useApi(azureTenantApiRef);
  // A stable key, so that a new but equal query object does not ask again.
  const key = query ? JSON.stringify(query) : undefined;
  const answer = useAsyncRetry(async () => {
    if (!key) return undefined;
    const report = await api.getShowback(JSON.parse(key) as ShowbackQuery);
    return { key, report };
  }, [api, key]);

  const report = answer.value?.key === key ? answer.value?.report : undefined;
  if (!key) {
    return { loading: false, retry: answer.retry };
  }
  if (answer.loading && !report) {
    return { loading: true, retry: answer.retry };
  }
  return {
    loading: answer.loading,
    error: answer.loading ? undefined : answer.error,
    report,
    retry: answer.retry,
  };
}

const fetchShowbackCsv = (api: AzureTenantApi, query: ShowbackQuery) =>
  api.downloadShowbackCsv(query);

/** Downloads the showback of a query as CSV and saves it as a file. */
export function useShowbackCsvDownload(): CsvDownload<ShowbackQuery> {
  return useCsvDownload(fetchShowbackCsv);
}
