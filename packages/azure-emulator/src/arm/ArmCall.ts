import { EmulatorContext } from '../EmulatorContext';
import { EmulatorRequest } from '../http/EmulatorHttp';
import { ArmCaller } from './armAuthentication';

/** One authenticated ARM request, as handlers see it. */
export interface ArmCall {
  context: EmulatorContext;
  request: EmulatorRequest;
  caller: ArmCaller;
}

/** The `nextLink` for a page of the same request, with a new `$skiptoken`. */
export function nextLinkFor(call: ArmCall, skipToken: string, param = '$skiptoken'): string {
  const url = new URL(call.request.url.pathname + call.request.url.search, call.context.baseUrl);
  url.searchParams.set(param, skipToken);
  return url.toString();
}
