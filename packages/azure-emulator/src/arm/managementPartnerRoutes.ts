import { ArmError } from '../errors/ArmError';
import { EmulatorResponse, jsonResponse } from '../http/EmulatorHttp';
import { PartnerLinkState } from '../model/EmulatorState';
import { ArmCall } from './ArmCall';

function linkKey(call: ArmCall): string {
  return `${call.caller.tenantId}|${call.caller.objectId}`.toLowerCase();
}

/** A partner link as `Microsoft.ManagementPartner` 2018-02-01 returns it. */
export function partnerBody(link: PartnerLinkState): Record<string, unknown> {
  return {
    id: `/providers/microsoft.managementpartner/partners/${link.partnerId}`,
    type: 'Microsoft.ManagementPartner/partner',
    name: link.partnerId,
    etag: link.version,
    properties: {
      partnerId: link.partnerId,
      partnerName: `Partner ${link.partnerId}`,
      tenantId: link.tenantId,
      objectId: link.objectId,
      version: String(link.version),
      updatedTime: link.updatedTime,
      createdTime: link.createdTime,
      state: 'Active',
    },
  };
}

function notFound(partnerId?: string): ArmError {
  return new ArmError(
    404,
    'PartnerNotFound',
    partnerId
      ? `The partner '${partnerId}' is not associated with this identity.`
      : 'No partner is associated with this identity.',
  );
}

/**
 * Partner Admin Link: `/providers/Microsoft.ManagementPartner/partners[/{partnerId}]`. The link
 * belongs to the calling identity (user or service principal) in its tenant, as in Azure.
 */
export function handlePartners(
  call: ArmCall,
  partnerId: string | undefined,
): EmulatorResponse {
  const links = call.context.state.partnerLinks;
  const key = linkKey(call);
  const current = links.get(key);
  const method = call.request.method;
  if (!partnerId) {
    if (method !== 'GET')
      throw new ArmError(
        405,
        'MethodNotAllowed',
        `The method '${method}' is not allowed.`,
      );
    if (!current) throw notFound();
    return jsonResponse(200, partnerBody(current));
  }
  if (!/^\d{1,10}$/.test(partnerId)) {
    throw new ArmError(
      400,
      'InvalidPartnerId',
      `The partner id '${partnerId}' is not valid. A partner id is a numeric Microsoft Partner Network (MPN) id.`,
    );
  }
  const now = new Date(call.context.clock.now()).toISOString();
  switch (method) {
    case 'GET':
      if (!current || current.partnerId !== partnerId)
        throw notFound(partnerId);
      return jsonResponse(200, partnerBody(current));
    case 'PUT': {
      const link: PartnerLinkState = {
        partnerId,
        tenantId: call.caller.tenantId,
        objectId: call.caller.objectId,
        createdTime: current?.createdTime ?? now,
        updatedTime: now,
        version: (current?.version ?? 0) + 1,
      };
      links.set(key, link);
      return jsonResponse(200, partnerBody(link));
    }
    case 'PATCH': {
      if (!current) throw notFound();
      const link = {
        ...current,
        partnerId,
        updatedTime: now,
        version: current.version + 1,
      };
      links.set(key, link);
      return jsonResponse(200, partnerBody(link));
    }
    case 'DELETE':
      if (current && current.partnerId === partnerId) links.delete(key);
      return { status: 200 };
    default:
      throw new ArmError(
        405,
        'MethodNotAllowed',
        `The method '${method}' is not allowed.`,
      );
  }
}
