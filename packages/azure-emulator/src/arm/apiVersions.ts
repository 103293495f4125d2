import { ArmError } from '../errors/ArmError';
import { EmulatorRequest } from '../http/EmulatorHttp';

/** Refuses an ARM request without `api-version`, as ARM does (400 `MissingApiVersionParameter`). */
export function checkApiVersion(request: EmulatorRequest): void {
  if (!request.url.searchParams.get('api-version')) {
    throw new ArmError(
      400,
      'MissingApiVersionParameter',
      'The api-version query parameter (?api-version=) is required for all requests.',
    );
  }
}
