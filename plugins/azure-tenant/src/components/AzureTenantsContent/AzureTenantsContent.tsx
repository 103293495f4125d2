import Grid from '@material-ui/core/Grid';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useSearchParams } from 'react-router-dom';
import { useAzureTenants } from '../../hooks/useAzureTenants';
import { ConnectTenantCard } from '../ConnectTenantCard';
import { OnboardingResult } from '../OnboardingResult';
import { TenantList } from '../TenantList';

/**
 * The body of the Azure tenants page, without a page header: the new frontend system's page layout brings its own.
 *
 * When the backend sends the user back from Microsoft with `?onboarding=<id>`, the result of that onboarding is
 * shown first.
 */
export function AzureTenantsContent() {
  const [searchParams] = useSearchParams();
  const onboardingId = searchParams.get('onboarding');
  const { loading, error, tenants, subscriptions, reload, updateSubscription } =
    useAzureTenants();

  return (
    <Grid container spacing={3}>
      {onboardingId && (
        <Grid item xs={12}>
          <OnboardingResult
            key={onboardingId}
            onboardingId={onboardingId}
            onFinished={reload}
          />
        </Grid>
      )}
      <Grid item xs={12}>
        <ConnectTenantCard hasTenants={!!tenants && tenants.length > 0} />
      </Grid>
      <Grid item xs={12}>
        {error && <ResponseErrorPanel error={error} />}
        {!error && loading && !tenants && <Progress />}
        {tenants && subscriptions && (
          <TenantList
            tenants={tenants}
            subscriptions={subscriptions}
            onSubscriptionChanged={updateSubscription}
          />
        )}
      </Grid>
    </Grid>
  );
}
