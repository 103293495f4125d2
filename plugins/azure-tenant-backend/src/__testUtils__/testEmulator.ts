import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AzureEmulator,
  AzureEmulatorOptions,
  startAzureEmulator,
} from '@azure-tenant/azure-emulator';

/**
 * Starts the emulator for a test file on a free port of 127.0.0.1, with its keys and certificates in a directory of
 * its own, and (unless `options` say otherwise) no throttling. `stop()` also removes that directory.
 */
export async function startTestEmulator(
  options: Omit<AzureEmulatorOptions, 'port' | 'stateDir'> = {},
): Promise<AzureEmulator> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-emulator-'));
  const emulator = await startAzureEmulator({
    throttling: { enabled: false },
    ...options,
    port: 0,
    stateDir,
  });
  return {
    ...emulator,
    stop: async () => {
      await emulator.stop();
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
