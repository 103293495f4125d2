import useAsyncFn from 'react-use/esm/useAsyncFn';
import { useApi } from '@backstage/core-plugin-api';
import { SpendQuery } from '@azure-tenant/plugin-azure-tenant-common';
import { AzureTenantApi, azureTenantApiRef } from '../api';

/** The state of a CSV download, and the function that starts one. */
export interface CsvDownload<Q> {
  downloading: boolean;
  error?: Error;
  download: (query: Q, fileName: string) => Promise<void>;
}

const fetchSpendCsv = (api: AzureTenantApi, query: SpendQuery) =>
  api.downloadSpendCsv(query);

/**
 * Downloads the CSV of a spend query and hands it to the browser as a file.
 */
export function useSpendCsvDownload(): CsvDownload<SpendQuery> {
  return useCsvDownload(fetchSpendCsv);
}

/**
 * Downloads a CSV that `fetchCsv` reads from the API and hands it to the browser as a file: the one way the plugin
 * downloads a file (the spend's and the showback's CSV).
 *
 * The CSV is fetched through the fetch API, not linked to, because the backend wants the user's Backstage token.
 * A failed download is kept as `error` until the next one starts.
 *
 * @param fetchCsv - defined once, outside the component: a new function makes a new `download`.
 */
export function useCsvDownload<Q>(
  fetchCsv: (api: AzureTenantApi, query: Q) => Promise<Blob>,
): CsvDownload<Q> {
  const api = useApi(azureTenantApiRef);
  const [state, download] = useAsyncFn(
    async (query: Q, fileName: string) => {
      const blob = await fetchCsv(api, query);
      saveBlob(blob, fileName);
    },
    [api, fetchCsv],
  );
  return {
    downloading: state.loading,
    // A new download clears the error of the one before.
    error: state.loading ? undefined : state.error,
    // Never rejects: useAsyncFn keeps the error in its state.
    download,
  };
}

function saveBlob(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoked on the next tick: some browsers start the download only after click() has returned.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
