import { ResourceManagementContext } from '@azure/arm-resources/api';
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import { listResourcePages, RESOURCES_API_VERSION } from './armResourcePages';

type Answer = { status: string; body: unknown };

/** A client context that answers from a list and records what was asked. */
function fakeContext(answers: Answer[]) {
  const asked: Array<{ path: string; options: any }> = [];
  const respond = (path: string) => ({
    get: async (options: any) => {
      asked.push({ path, options });
      const answer = answers.shift();
      if (!answer) throw new Error('no more answers');
      return {
        ...answer,
        headers: {},
        request: {
          url: path,
          method: 'GET',
          headers: createHttpHeaders(),
        },
      };
    },
  });
  const context = {
    subscriptionId: 'sub-1',
    path: (template: string, subscriptionId: string) =>
      respond(template.replace('{subscriptionId}', subscriptionId)),
    pathUnchecked: (link: string) => respond(link),
  } as unknown as ResourceManagementContext;
  return { context, asked };
}

async function collect(pages: AsyncIterable<unknown[]>) {
  const out: unknown[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('listResourcePages', () => {
  it('asks for the expanded list and follows nextLink until there is none', async () => {
    const { context, asked } = fakeContext([
      {
        status: '200',
        body: {
          value: [{ id: 'a' }],
          nextLink: 'https://arm.example/next?page=2',
        },
      },
      { status: '200', body: { value: [{ id: 'b' }, { id: 'c' }] } },
    ]);
    const pages = await collect(
      listResourcePages(context, {
        expand: 'createdTime,changedTime',
        top: 1000,
      }),
    );
    expect(pages).toEqual([[{ id: 'a' }], [{ id: 'b' }, { id: 'c' }]]);
    expect(asked[0].path).toBe('/subscriptions/sub-1/resources');
    expect(asked[0].options.queryParameters).toEqual({
      'api-version': RESOURCES_API_VERSION,
      $expand: 'createdTime,changedTime',
      $top: 1000,
    });
    expect(asked[1].path).toBe('https://arm.example/next?page=2');
  });

  it("throws Azure's error for a status other than 200, after the pages before it", async () => {
    const { context } = fakeContext([
      { status: '200', body: { value: [{ id: 'a' }], nextLink: 'https://n' } },
      {
        status: '500',
        body: { error: { code: 'InternalServerError', message: 'boom' } },
      },
    ]);
    const seen: unknown[][] = [];
    await expect(async () => {
      for await (const page of listResourcePages(context, {})) seen.push(page);
    }).rejects.toMatchObject({ statusCode: 500, code: 'InternalServerError' });
    expect(seen).toEqual([[{ id: 'a' }]]);
  });

  it('refuses an answer that is not a list', async () => {
    const { context } = fakeContext([{ status: '200', body: { items: [] } }]);
    await expect(collect(listResourcePages(context, {}))).rejects.toThrow(
      /without a value array/,
    );
  });
});
