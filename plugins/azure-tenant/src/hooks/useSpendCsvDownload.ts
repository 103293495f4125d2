import { useCallback, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { SpendQuery } from '@azure-tenant/plugin-azure-tenant-common';
import { azureTenantApiRef } from '../api';

/**
 * Downloads the CSV of a spend query and hands it to the browser as a file.
 *
 * The CSV is fetched through the fetch API, not linked to, because the backend wants the user's Backstage token.
 */
export function useSpendCsvDownload(): {
  downloading: boolean;
  error?: Error;
  download: (query: SpendQuery, fileName: string) => Promise<void>;
} {
  const api = useApi(azureTenantApiRef);
  const [downloading, setDownloading] = useState(false);
  const [error, setError] = useState<Error>();

  const download = useCallback(
    async (query: SpendQuery, fileName: string) => {
      setDownloading(true);
      setError(undefined);
      try {
        const blob = await api.downloadSpendCsv(query);
        saveBlob(blob, fileName);
      } catch (e) {
        setError(e as Error);
      } finally {
        setDownloading(false);
      }
    },
    [api],
  );

  return { downloading, error, download };
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
