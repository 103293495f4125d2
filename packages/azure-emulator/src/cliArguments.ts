import path from 'node:path';
import { AzureEmulatorOptions } from './startAzureEmulator';

/** A command line that cannot be parsed. */
export class CliArgumentError extends Error {
  readonly name = 'CliArgumentError';
  readonly code = 'InvalidArguments';
}

export const USAGE = `Usage: azure-emulator [--port N] [--fixture FILE] [--generate subscriptions=S,resources=R,days=D,seed=X]
                      [--latency-ms N] [--state-dir DIR] [--throttling on|off] [--consent prompt|accept|deny]`;

function integer(flag: string, value: string | undefined, min = 0): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < min) {
    throw new CliArgumentError(
      `${flag} needs an integer >= ${min}, got '${value ?? ''}'`,
    );
  }
  return n;
}

/** Parses the emulator's command line into {@link AzureEmulatorOptions}. */
export function parseCliArguments(
  argv: string[],
  cwd = process.cwd(),
): AzureEmulatorOptions & { help?: boolean } {
  const options: AzureEmulatorOptions & { help?: boolean } = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] =
      argv[i].includes('=') && argv[i].startsWith('--')
        ? [
            argv[i].slice(0, argv[i].indexOf('=')),
            argv[i].slice(argv[i].indexOf('=') + 1),
          ]
        : [argv[i], undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--port':
        options.port = integer(flag, value());
        break;
      case '--fixture':
        options.fixture = path.resolve(cwd, value() ?? '');
        break;
      case '--generate': {
        const spec = value() ?? '';
        const parts = Object.fromEntries(
          spec.split(',').map(p => p.split('=').map(s => s.trim())),
        );
        options.generate = {
          subscriptions: integer(
            'subscriptions',
            parts.subscriptions ?? '3',
            1,
          ),
          resources: integer('resources', parts.resources ?? '200'),
          days: integer('days', parts.days ?? '90'),
          seed: integer('seed', parts.seed ?? '1'),
        };
        break;
      }
      case '--latency-ms':
        options.latencyMs = integer(flag, value());
        break;
      case '--state-dir':
        options.stateDir = path.resolve(cwd, value() ?? '');
        break;
      case '--throttling': {
        const v = value();
        if (v !== 'on' && v !== 'off')
          throw new CliArgumentError(
            `--throttling is 'on' or 'off', got '${v}'`,
          );
        options.throttling = { enabled: v === 'on' };
        break;
      }
      case '--consent': {
        const v = value();
        if (v !== 'prompt' && v !== 'accept' && v !== 'deny') {
          throw new CliArgumentError(
            `--consent is 'prompt', 'accept' or 'deny', got '${v}'`,
          );
        }
        options.consentDecision = v;
        break;
      }
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new CliArgumentError(`Unknown option '${argv[i]}'`);
    }
  }
  return options;
}
