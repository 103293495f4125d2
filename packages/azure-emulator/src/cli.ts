import { CliArgumentError, USAGE, parseCliArguments } from './cliArguments';
import { startAzureEmulator } from './startAzureEmulator';

/**
 * Runs the emulator from the command line. Prints exactly one JSON line to stdout when ready;
 * everything else goes to stderr. Stops cleanly on SIGINT and SIGTERM.
 */
export async function runCli(argv: string[]): Promise<void> {
  let options;
  try {
    options = parseCliArguments(argv);
  } catch (error) {
    if (error instanceof CliArgumentError) {
      process.stderr.write(`${error.message}\n${USAGE}\n`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
  if (options.help) {
    process.stderr.write(`${USAGE}\n`);
    return;
  }
  const emulator = await startAzureEmulator(options);
  process.stdout.write(
    `${JSON.stringify({
      event: 'ready',
      url: emulator.url,
      authorityHost: emulator.authorityHost,
      caCertFile: emulator.caCertFile,
    })}\n`,
  );
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`azure-emulator: ${signal}, stopping\n`);
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}
