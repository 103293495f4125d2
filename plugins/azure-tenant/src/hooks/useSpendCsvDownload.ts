import useAsyncFn from 'react-use/esm/useAsyncFn';
import { useApi } from '@backstage/core-plugin-api';
import { SpendQuery } from '@azure-tenant/plugin-azure-tenant-common';
import { azureTenantApiRef } from '../api';

/**
 * Downloads the CSV of a spend query and hands it to the browser as a file.
 *
 * The CSV is fetched through the fetch API, not linked to, because the backend wants the user's Backstage token.
 * A failed download is kept as `error` until the next one starts.
 */
export function useSpendCsvDownload(): {
  downloading: boolean;
  error?: Error;
  download: (query: SpendQuery, fileName: string) => Promise<void>;
} {
  const api = useApi(azureTenantApiRef);
  const [state, download] = useAsyncFn(
    async (query: SpendQuery, fileName: string) => {
      const blob = await api.downloadSpendCsv(query);
      saveBlob(blob, fileName);
    },
    [api],
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
