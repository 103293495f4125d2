import Typography from '@material-ui/core/Typography';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  EntityRefLink,
  humanizeEntityRef,
} from '@backstage/plugin-catalog-react';

/** The owner the backend gives spend that no team owns. */
export const UNALLOCATED_OWNER = 'unallocated';

/** What unallocated spend is, and what makes it someone's. */
export const UNALLOCATED_HINT =
  'Spend no team owns: resources without a valid owner tag. Set their owner tag to a catalog group or user to allocate it.';

/** An owner's short name, e.g. `team-a` for `group:default/team-a`, for lists and sorting. */
export function ownerLabel(owner: string): string {
  if (owner === UNALLOCATED_OWNER) {
    return 'Unallocated';
  }
  try {
    return humanizeEntityRef(parseEntityRef(owner), { defaultKind: 'group' });
  } catch {
    // Not an entity ref: shown as the backend gave it rather than breaking the page.
    return owner;
  }
}

/** An owner as a link to its entity page; unallocated spend with what it is. */
export function ShowbackOwner(props: { owner: string }) {
  const { owner } = props;
  if (owner === UNALLOCATED_OWNER) {
    return (
      <>
        <Typography variant="body2">Unallocated</Typography>
        <Typography variant="caption" color="textSecondary">
          {UNALLOCATED_HINT}
        </Typography>
      </>
    );
  }
  try {
    parseEntityRef(owner);
  } catch {
    return <>{owner}</>;
  }
  // Without a title, the link shows the catalog's presentation of the owner (its display name when it has one).
  return <EntityRefLink entityRef={owner} defaultKind="group" />;
}
