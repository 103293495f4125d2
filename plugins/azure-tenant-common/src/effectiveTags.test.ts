import { effectiveTags } from './effectiveTags';

describe('effectiveTags', () => {
  it("is undefined when the resource's Azure tags are not kept", () => {
    expect(effectiveTags({})).toBeUndefined();
    expect(
      effectiveTags({ portalTags: { owner: 'platform' } }),
    ).toBeUndefined();
  });

  it("is Azure's tags when there are no portal tags", () => {
    expect(effectiveTags({ tags: { env: 'prod' } })).toEqual({ env: 'prod' });
    expect(effectiveTags({ tags: {}, portalTags: {} })).toEqual({});
  });

  it('lays portal tags over Azure tags, adding new ones', () => {
    expect(
      effectiveTags({
        tags: { env: 'prod', owner: 'web' },
        portalTags: { owner: 'platform', costCenter: '42' },
      }),
    ).toEqual({ env: 'prod', owner: 'platform', costCenter: '42' });
  });

  it("replaces an Azure tag equal but for case, in the portal tag's spelling", () => {
    const tags = effectiveTags({
      tags: { Owner: 'web', env: 'prod' },
      portalTags: { owner: 'platform' },
    });
    expect(tags).toEqual({ env: 'prod', owner: 'platform' });
    expect(Object.keys(tags!)).not.toContain('Owner');
  });

  it('keeps tags named like Object members as ordinary tags', () => {
    const tags = effectiveTags({
      tags: { constructor: 'a' },
      portalTags: { ['__proto__']: 'b' },
    });
    expect(Object.keys(tags!).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(tags)).toBe(Object.prototype);
  });

  it('does not change the records it is given', () => {
    const record = {
      tags: { Owner: 'web' },
      portalTags: { owner: 'platform' },
    };
    effectiveTags(record);
    expect(record).toEqual({
      tags: { Owner: 'web' },
      portalTags: { owner: 'platform' },
    });
  });
});
