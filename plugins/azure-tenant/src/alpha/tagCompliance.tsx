import LocalOfferIcon from '@material-ui/icons/LocalOffer';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import { PageBlueprint } from '@backstage/frontend-plugin-api';
import { tagComplianceRouteRef } from '../routes';

/**
 * The Tag compliance page at `/azure-tag-compliance`: compliance with the tag policies overall and per team, the
 * policies with Azure Policy's tag assignments beside them, and suggested fixes in bulk. Its title and icon also make
 * its item in the app's navigation.
 *
 * @alpha
 */
export const azureTagCompliancePage = PageBlueprint.make({
  name: 'tag-compliance',
  params: {
    path: '/azure-tag-compliance',
    title: 'Tag compliance',
    icon: <LocalOfferIcon fontSize="inherit" />,
    routeRef: convertLegacyRouteRef(tagComplianceRouteRef),
    loader: () =>
      Promise.all([
        import('../components/TagComplianceContent'),
        import('@backstage/core-components'),
      ]).then(([m, { Content }]) => (
        <Content>
          <m.TagComplianceContent />
        </Content>
      )),
  },
});
