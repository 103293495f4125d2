import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { ShowbackContent } from './ShowbackContent';

/** The showback of the entity on the page (a group or user): what it owns, per month. */
export function EntityShowbackContent() {
  const { entity } = useEntity();
  return <ShowbackContent owner={stringifyEntityRef(entity)} />;
}
