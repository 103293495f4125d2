import { Fault } from '../control/faults';
import { EmulatorContext } from '../EmulatorContext';
import { EmulatorRequest } from '../http/EmulatorHttp';
import { ArmCaller } from './armAuthentication';

/** One authenticated ARM request, as handlers see it. */
export interface ArmCall {
  context: EmulatorContext;
  request: EmulatorRequest;
  caller: ArmCaller;
  /** The fault injected for this request, when it leaves the answer to the handler (`asyncOperation`). */
  fault?: Fault;
}

/** The `nextLink` for a page of the same request, with a new `$skiptoken`. */
export function nextLinkFor(
  call: ArmCall,
  skipToken: string,
  param = '$skiptoken',
): string {
  const params = new URLSearchParams(call.request.url.search);
  params.delete('$skiptoken');
  params.delete('$skipToken');
  const rest = params.toString();
  // ARM writes `$skiptoken` literally in its next links.
  return `${call.context.baseUrl}${call.request.path}?${
    rest ? `${rest}&` : ''
  }${param}=${encodeURIComponent(skipToken)}`;
}
