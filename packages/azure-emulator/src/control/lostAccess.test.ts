import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { ResourceManagementClient } from '@azure/arm-resources';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import { TokenCredential } from '@azure/core-auth';
import { readFileSync } from 'node:fs';
import { emulatorClientOptions } from '../clientOptions';
import {
  DEMO_APP,
  DEMO_SUBSCRIPTIONS,
  DEMO_TENANT,
} from '../model/demoIdentities';
import { EmulatorFixture } from '../model/fixture';
import { DEMO_FIXTURE_PATH } from '../model/fixtureLoader';
import { READER_ROLE_ID } from '../rbac/builtInRoles';
import { AzureEmulator } from '../startAzureEmulator';
import {
  appCredential,
  jwtClaims,
  rawRequest,
  startTestEmulator,
  staticTokenCredential,
} from '../__testUtils__/emulatorTestKit';

/*
 * Lost access, acted out through the control API as an administrator or Azure billing would, and checked with the
 * Azure SDKs the product uses. Each scenario is undone again, so the recovery is checked too.
 */

const FABRIKAM = {
  id: '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d',
  displayName: 'Fabrikam',
};
const SUB = DEMO_SUBSCRIPTIONS.platform;
const SUB_SCOPE = `/subscriptions/${SUB}`;
const RG = 'rg-platform-network';
const RG_SCOPE = `${SUB_SCOPE}/resourceGroups/${RG}`;
const ARM_SCOPE = 'https://management.azure.com/.default';

/** The demo fixture plus a second tenant, where the portal's app is consented too. */
function twoTenantFixture(): EmulatorFixture {
  const fixture: EmulatorFixture = JSON.parse(
    readFileSync(DEMO_FIXTURE_PATH, 'utf8'),
  );
  fixture.tenants.push({
    ...FABRIKAM,
    users: [
      {
        oid: '1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a',
        userPrincipalName: 'admin@fabrikam.example',
      },
    ],
  });
  fixture.consents = [
    ...(fixture.consents ?? []),
    { tenantId: FABRIKAM.id, clientId: DEMO_APP.clientId },
  ];
  return fixture;
}

/** What a failed SDK call carried: the status and ARM's error code, or the credential's message. */
async function failure(
  promise: Promise<unknown>,
): Promise<{ statusCode?: number; code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { statusCode?: number; code?: string; message: string };
    return { statusCode: e.statusCode, code: e.code, message: e.message };
  }
  throw new Error('expected the call to fail');
}

describe('lost-access scenarios of the control API', () => {
  let emulator: AzureEmulator;
  let spObjectId: string;

  const credential = (tenantId = DEMO_TENANT.id) =>
    appCredential(emulator, tenantId);
  const arm = (cred: TokenCredential = credential()) =>
    new ResourceManagementClient(cred, SUB, emulatorClientOptions(emulator));
  const subscriptions = (cred: TokenCredential = credential()) =>
    new SubscriptionClient(cred, emulatorClientOptions(emulator));
  const listedIds = async (client: SubscriptionClient) => {
    const ids: string[] = [];
    for await (const s of client.subscriptions.list()) {
      ids.push(s.subscriptionId!);
    }
    return ids;
  };
  const writeTag = (client: ResourceManagementClient, value: string) =>
    client.tagsOperations.updateAtScope(RG_SCOPE, {
      operation: 'Merge',
      properties: { tags: { 'cost-center': value } },
    });
  const tokenRequest = (tenantId = DEMO_TENANT.id) =>
    rawRequest(emulator, 'POST', `/${tenantId}/oauth2/v2.0/token`, {
      form: {
        grant_type: 'client_credentials',
        client_id: DEMO_APP.clientId,
        client_secret: DEMO_APP.clientSecret,
        scope: ARM_SCOPE,
      },
    });

  beforeAll(async () => {
    emulator = await startTestEmulator({ fixture: twoTenantFixture() });
  });
  afterAll(() => emulator.stop());
  beforeEach(() => {
    emulator.control.reset();
    // What onboarding leaves behind: the portal's service principal, Reader and Tag Contributor on the subscription.
    spObjectId = emulator.control.consent(
      DEMO_TENANT.id,
      DEMO_APP.clientId,
    ).objectId;
    for (const role of ['Reader', 'Tag Contributor']) {
      emulator.control.assignRole({
        scope: SUB_SCOPE,
        principalId: spObjectId,
        role,
      });
    }
  });

  describe('the service principal', () => {
    // Entra ID's answer when the app has no service principal in the tenant, as it sends it (401, invalid_client,
    // AADSTS7000229 with its fwlink): the example in Microsoft Learn, Teams SDK "Authentication Troubleshooting",
    // https://learn.microsoft.com/en-us/microsoftteams/platform/teams-sdk/teams/app-authentication/troubleshooting
    it('deleted: client credentials fail with AADSTS7000229, and restoring it brings the same object id back', async () => {
      const deleted = emulator.control.deleteServicePrincipal(
        DEMO_TENANT.id,
        DEMO_APP.clientId,
      );
      expect(deleted.objectId).toBe(spObjectId);

      const raw = await tokenRequest();
      expect(raw.status).toBe(401);
      expect(raw.json()).toMatchObject({
        error: 'invalid_client',
        error_codes: [7000229],
      });
      expect(raw.json().error_description).toMatch(
        `AADSTS7000229: The client application ${DEMO_APP.clientId} is missing service principal in the tenant ${DEMO_TENANT.id}.`,
      );
      const sdk = await failure(credential().getToken(ARM_SCOPE));
      expect(sdk.message).toContain('AADSTS7000229');
      // Its role assignments stay, orphaned, as Azure RBAC keeps them.
      expect(
        emulator.control.listRoleAssignments({ principalId: spObjectId }),
      ).toHaveLength(2);

      // Learn, "Restore a soft deleted enterprise application"
      // (https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/restore-application): restorable for 30
      // days, with its object id, so the old role assignments apply again.
      const restored = emulator.control.restoreServicePrincipal(
        DEMO_TENANT.id,
        DEMO_APP.clientId,
      );
      expect(restored.objectId).toBe(spObjectId);
      const token = await credential().getToken(ARM_SCOPE);
      expect(jwtClaims(token!.token).oid).toBe(spObjectId);
      const group = await arm().resourceGroups.get(RG);
      expect(group.name).toBe(RG);
    });

    it('deleted, then consent again: a new service principal with a new object id, which has no roles yet', async () => {
      emulator.control.deleteServicePrincipal(
        DEMO_TENANT.id,
        DEMO_APP.clientId,
      );
      const fresh = emulator.control.consent(DEMO_TENANT.id, DEMO_APP.clientId);
      expect(fresh.objectId).not.toBe(spObjectId);

      const token = await credential().getToken(ARM_SCOPE);
      expect(jwtClaims(token!.token).oid).toBe(fresh.objectId);
      // The old assignments name the old object id, so ARM refuses the new one until roles are assigned again.
      const denied = await failure(arm().resourceGroups.get(RG));
      expect(denied).toMatchObject({
        statusCode: 403,
        code: 'AuthorizationFailed',
      });
      expect(denied.message).toContain(`with object id '${fresh.objectId}'`);
      expect(
        emulator.control.listRoleAssignments({ principalId: spObjectId }),
      ).toHaveLength(2);
      // The deleted one can no longer be restored once a new one exists.
      const restore = await rawRequest(
        emulator,
        'POST',
        '/_emulator/service-principals/restore',
        { body: { tenantId: DEMO_TENANT.id, clientId: DEMO_APP.clientId } },
      );
      expect(restore.status).toBe(404);

      emulator.control.assignRole({
        scope: SUB_SCOPE,
        principalId: fresh.objectId,
        role: 'Reader',
      });
      expect((await arm().resourceGroups.get(RG)).name).toBe(RG);
    });

    it('a token issued before the deletion keeps working until it expires, as ARM does not look up the principal again', async () => {
      // Learn, "Microsoft identity platform access tokens" (https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#token-lifetime):
      // an access token is valid until it expires; ARM authorizes its oid against the role assignments, which
      // stay (orphaned) after the deletion.
      const token = await credential().getToken(ARM_SCOPE);
      emulator.control.deleteServicePrincipal(
        DEMO_TENANT.id,
        DEMO_APP.clientId,
      );
      const cached = arm(staticTokenCredential(token!.token));
      expect((await cached.resourceGroups.get(RG)).name).toBe(RG);
      emulator.control.advanceClock(2 * 3_600_000);
      const expired = await failure(cached.resourceGroups.get(RG));
      expect(expired).toMatchObject({
        statusCode: 401,
        code: 'ExpiredAuthenticationToken',
      });
    });

    // Learn, "Microsoft Entra authentication and authorization error codes"
    // (https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes): AADSTS7000112,
    // UnauthorizedClientApplicationDisabled, "The application is disabled."
    it('disabled: client credentials fail with AADSTS7000112; enabled again, they work', async () => {
      const control = await rawRequest(
        emulator,
        'PATCH',
        '/_emulator/service-principals',
        {
          body: {
            tenantId: DEMO_TENANT.id,
            clientId: DEMO_APP.clientId,
            accountEnabled: false,
          },
        },
      );
      expect(control.status).toBe(200);
      expect(control.json()).toMatchObject({
        objectId: spObjectId,
        accountEnabled: false,
      });

      const raw = await tokenRequest();
      expect(raw.status).toBe(400);
      expect(raw.json()).toMatchObject({
        error: 'unauthorized_client',
        error_codes: [7000112],
      });
      expect(raw.json().error_description).toMatch(
        `AADSTS7000112: Application '${DEMO_APP.clientId}'(${DEMO_APP.displayName}) is disabled.`,
      );
      expect(
        (await failure(credential().getToken(ARM_SCOPE))).message,
      ).toContain('AADSTS7000112');

      emulator.control.setServicePrincipalEnabled(
        DEMO_TENANT.id,
        DEMO_APP.clientId,
        true,
      );
      const token = await credential().getToken(ARM_SCOPE);
      expect(jwtClaims(token!.token).oid).toBe(spObjectId);
    });

    it('the control routes answer 404 for a missing service principal and 400 for missing fields', async () => {
      emulator.control.deleteServicePrincipal(
        DEMO_TENANT.id,
        DEMO_APP.clientId,
      );
      const again = await rawRequest(
        emulator,
        'DELETE',
        `/_emulator/service-principals?tenantId=${DEMO_TENANT.id}&clientId=${DEMO_APP.clientId}`,
      );
      expect(again.status).toBe(404);
      expect(again.json().error.code).toBe('ServicePrincipalNotFound');
      const missing = await rawRequest(
        emulator,
        'DELETE',
        `/_emulator/service-principals?tenantId=${DEMO_TENANT.id}`,
      );
      expect(missing.status).toBe(400);
      const notAnObject = await rawRequest(
        emulator,
        'PATCH',
        '/_emulator/service-principals',
        { body: 'null' },
      );
      expect(notAnObject.status).toBe(400);
      const listed = await rawRequest(
        emulator,
        'GET',
        '/_emulator/service-principals',
      );
      expect(listed.json().deleted.map((s: any) => s.objectId)).toContain(
        spObjectId,
      );
    });
  });

  describe('a role assignment', () => {
    // ARM's 403 when a role is missing, in the words of Learn "Troubleshoot Azure RBAC"
    // (https://learn.microsoft.com/en-us/azure/role-based-access-control/troubleshooting): "The client '...' with
    // object id '...' does not have authorization to perform action '...' over scope '...' or the scope is invalid."
    it('Tag Contributor removed, Reader kept: reads work and tag writes get 403 AuthorizationFailed; added back, they work', async () => {
      const removed = await rawRequest(
        emulator,
        'DELETE',
        `/_emulator/role-assignments?principalId=${spObjectId}&scope=${SUB_SCOPE}&role=${encodeURIComponent(
          'Tag Contributor',
        )}`,
      );
      expect(removed.json()).toEqual({ removed: 1 });
      expect(
        emulator.control
          .listRoleAssignments({ principalId: spObjectId })
          .map(a => a.roleDefinitionGuid),
      ).toEqual([READER_ROLE_ID]);

      const client = arm();
      expect((await client.resourceGroups.get(RG)).name).toBe(RG);
      const denied = await failure(writeTag(client, 'cc-1'));
      expect(denied).toMatchObject({
        statusCode: 403,
        code: 'AuthorizationFailed',
      });
      expect(denied.message).toBe(
        `The client '${spObjectId}' with object id '${spObjectId}' does not have authorization to perform action 'Microsoft.Resources/tags/write' over scope '${RG_SCOPE}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      );

      await rawRequest(emulator, 'POST', '/_emulator/role-assignments', {
        body: {
          scope: SUB_SCOPE,
          principalId: spObjectId,
          role: 'Tag Contributor',
        },
      });
      const written = await writeTag(client, 'cc-2');
      expect(written.properties?.tags?.['cost-center']).toBe('cc-2');
    });

    it('Reader removed too: reads of the subscription get 403 AuthorizationFailed', async () => {
      expect(
        emulator.control.removeRoleAssignments({ principalId: spObjectId }),
      ).toBe(2);
      const denied = await failure(arm().resources.list().next());
      expect(denied).toMatchObject({
        statusCode: 403,
        code: 'AuthorizationFailed',
      });
      expect(await listedIds(subscriptions())).not.toContain(SUB);
    });

    it('an unknown role in the filter is a 400', async () => {
      const response = await rawRequest(
        emulator,
        'DELETE',
        `/_emulator/role-assignments?principalId=${spObjectId}&role=Tag%20Writer`,
      );
      expect(response.status).toBe(400);
      expect(response.json().error.code).toBe('RoleDefinitionDoesNotExist');
      expect(
        emulator.control.listRoleAssignments({ principalId: spObjectId }),
      ).toHaveLength(2);
    });
  });

  // Learn, "Azure subscription states"
  // (https://learn.microsoft.com/en-us/azure/cost-management-billing/manage/subscription-states), and the
  // `SubscriptionState` enum of Microsoft.Resources (Enabled, Warned, PastDue, Disabled, Deleted) in
  // azure-rest-api-specs, specification/resources/resource-manager/Microsoft.Resources/stable/2022-12-01/subscriptions.json.
  describe('the subscription state', () => {
    const setState = (state: string) =>
      rawRequest(emulator, 'PUT', `/_emulator/subscriptions/${SUB}/state`, {
        body: { state },
      });

    it.each(['Warned', 'PastDue'])(
      '%s: shown by GET /subscriptions/{id}; still active, so reads and tag writes work',
      async state => {
        expect((await setState(state)).json()).toMatchObject({
          subscriptionId: SUB,
          state,
        });
        expect((await subscriptions().subscriptions.get(SUB)).state).toBe(
          state,
        );
        const written = await writeTag(arm(), state);
        expect(written.properties?.tags?.['cost-center']).toBe(state);
      },
    );

    it('Disabled: reads work, PUT/PATCH/POST get 409 ReadOnlyDisabledSubscription; Enabled again, writes work', async () => {
      await setState('Disabled');
      const client = arm();
      expect((await subscriptions().subscriptions.get(SUB)).state).toBe(
        'Disabled',
      );
      expect(await listedIds(subscriptions())).toContain(SUB);
      expect((await client.resourceGroups.get(RG)).name).toBe(RG);

      // ARM's words, as the Azure tools show them (e.g. microsoft/vscode-azureappservice issue 912).
      const refused = await failure(writeTag(client, 'cc-1'));
      expect(refused).toMatchObject({
        statusCode: 409,
        code: 'ReadOnlyDisabledSubscription',
        message: `The subscription '${SUB}' is disabled and therefore marked as read only. You cannot perform any write actions on this subscription until it is re-enabled.`,
      });
      // "Operations that take an action (POST) are also disabled": Cost Management's query is a POST.
      const token = await credential().getToken(ARM_SCOPE);
      const query = await rawRequest(
        emulator,
        'POST',
        `${SUB_SCOPE}/providers/Microsoft.CostManagement/query?api-version=2022-10-01`,
        {
          headers: { authorization: `Bearer ${token!.token}` },
          body: {
            type: 'ActualCost',
            timeframe: 'MonthToDate',
            dataset: {
              granularity: 'None',
              aggregation: { totalCost: { name: 'Cost', function: 'Sum' } },
            },
          },
        },
      );
      expect(query.status).toBe(409);
      expect(query.json().error.code).toBe('ReadOnlyDisabledSubscription');

      await setState('Enabled');
      const written = await writeTag(client, 'cc-2');
      expect(written.properties?.tags?.['cost-center']).toBe('cc-2');
    });

    it('Deleted: 404 SubscriptionNotFound and gone from the list; Enabled again, it is back', async () => {
      await setState('Deleted');
      const gone = await failure(subscriptions().subscriptions.get(SUB));
      expect(gone).toMatchObject({
        statusCode: 404,
        code: 'SubscriptionNotFound',
      });
      expect(await failure(arm().resourceGroups.get(RG))).toMatchObject({
        statusCode: 404,
        code: 'SubscriptionNotFound',
      });
      expect(await listedIds(subscriptions())).not.toContain(SUB);
      // "No operations are available" (Learn, "Azure subscription states"): Resource Graph finds none of its resources.
      const graph = new ResourceGraphClient(
        credential(),
        emulatorClientOptions(emulator),
      );
      const rows = await graph.resources({
        subscriptions: [SUB],
        query: 'resources',
      });
      expect(rows.totalRecords).toBe(0);

      await setState('Enabled');
      expect((await subscriptions().subscriptions.get(SUB)).state).toBe(
        'Enabled',
      );
    });

    it('refuses an unknown state with a 400 naming the five', async () => {
      const response = await setState('Suspended');
      expect(response.status).toBe(400);
      expect(response.json().error.message).toContain("'PastDue'");
      expect((await subscriptions().subscriptions.get(SUB)).state).toBe(
        'Enabled',
      );
    });
  });

  // Learn, "Transfer an Azure subscription to a different Microsoft Entra directory"
  // (https://learn.microsoft.com/en-us/azure/role-based-access-control/transfer-subscription): "all role assignments
  // and custom roles in Azure role-based access control (Azure RBAC) are permanently deleted from the source
  // directory and are not transferred to the target directory."
  describe('moving the subscription to another tenant', () => {
    const move = (tenantId: string) =>
      rawRequest(emulator, 'POST', `/_emulator/subscriptions/${SUB}/move`, {
        body: { tenantId },
      });

    it("leaves the old tenant's view, deletes the role assignments, and answers the old tenant's token with 401 InvalidAuthenticationTokenTenant", async () => {
      const moved = await move(FABRIKAM.id);
      expect(moved.status).toBe(200);
      expect(moved.json()).toMatchObject({
        subscription: { subscriptionId: SUB, tenantId: FABRIKAM.id },
        fromTenantId: DEMO_TENANT.id,
      });
      // The portal's two and the fixture's own (the demo user's Owner, another principal's Contributor).
      expect(moved.json().removedRoleAssignments.length).toBeGreaterThanOrEqual(
        2,
      );
      expect(
        emulator.control.listRoleAssignments({ scope: SUB_SCOPE }),
      ).toEqual([]);

      expect(await listedIds(subscriptions())).not.toContain(SUB);
      const wrongTenant = await failure(subscriptions().subscriptions.get(SUB));
      expect(wrongTenant).toMatchObject({
        statusCode: 401,
        code: 'InvalidAuthenticationTokenTenant',
      });
      expect(wrongTenant.message).toContain(
        `It must match the tenant '${emulator.url}/${FABRIKAM.id}/v2.0' associated with this subscription.`,
      );

      // In the new tenant, the portal's service principal there sees it once it is given a role.
      const fabrikamSp = emulator.control.servicePrincipal(
        FABRIKAM.id,
        DEMO_APP.clientId,
      )!;
      const fabrikam = credential(FABRIKAM.id);
      expect(await listedIds(subscriptions(fabrikam))).not.toContain(SUB);
      emulator.control.assignRole({
        scope: SUB_SCOPE,
        principalId: fabrikamSp.objectId,
        role: 'Reader',
      });
      expect(await listedIds(subscriptions(fabrikam))).toContain(SUB);
      expect(
        (await subscriptions(fabrikam).subscriptions.get(SUB)).tenantId,
      ).toBe(FABRIKAM.id);
    });

    it('moved back, it is in the old tenant again, but without its role assignments until they are re-created', async () => {
      await move(FABRIKAM.id);
      await move(DEMO_TENANT.id);
      const denied = await failure(arm().resourceGroups.get(RG));
      expect(denied).toMatchObject({
        statusCode: 403,
        code: 'AuthorizationFailed',
      });
      for (const role of ['Reader', 'Tag Contributor']) {
        emulator.control.assignRole({
          scope: SUB_SCOPE,
          principalId: spObjectId,
          role,
        });
      }
      expect(await listedIds(subscriptions())).toContain(SUB);
      expect((await arm().resourceGroups.get(RG)).name).toBe(RG);
    });

    it('refuses an unknown tenant with a 404 and leaves the subscription where it is', async () => {
      const response = await move('00000000-0000-4000-8000-000000000000');
      expect(response.status).toBe(404);
      expect(response.json().error.code).toBe('TenantNotFound');
      expect(
        emulator.control.listRoleAssignments({ principalId: spObjectId }),
      ).toHaveLength(2);
    });
  });
});
