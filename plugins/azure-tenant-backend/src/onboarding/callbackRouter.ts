import express from 'express';
import Router from 'express-promise-router';
import { callbackErrorPage } from './callbackPage';
import { CallbackOutcome, OnboardingService } from './OnboardingService';

/** Options for {@link createCallbackRouter}. */
export interface CallbackRouterOptions {
  /** The onboarding service; throws a 503 error when the plugin is not configured. */
  onboarding: () => OnboardingService;
  /** The portal's Azure tenants page, linked from the error pages. */
  portalUrl: string;
}

const firstString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

// Entra ID posts a handful of short fields (code, state, session_state, or error and error_description).
const readForm = express.urlencoded({
  extended: false,
  limit: '64kb',
  parameterLimit: 20,
});

/**
 * `POST /onboarding/callback`, where Entra ID's form (`response_mode=form_post`) brings the browser back with the
 * code and the state in the body, and `GET /onboarding/callback`, for what can still arrive in the address (see
 * {@link OnboardingService.handleCallbackInAddress}: its code is never redeemed).
 *
 * The browser comes back without Backstage credentials: the one-time state identifies the onboarding and the user who
 * started it. The answers are a redirect or an HTML page, never a JSON error, so these routes are not among the
 * paths the API router validates. Nothing of the request (its address, its body) is logged here; every answer is
 * `Cache-Control: no-store` and `Referrer-Policy: no-referrer`.
 */
export function createCallbackRouter(
  options: CallbackRouterOptions,
): express.Router {
  const router = Router();

  const answer = (res: express.Response, outcome: CallbackOutcome) => {
    res.setHeader('cache-control', 'no-store');
    res.setHeader('referrer-policy', 'no-referrer');
    if (outcome.type === 'redirect') {
      // 303: the browser follows with a GET, and its history keeps the portal's page, not the POST.
      res.redirect(303, outcome.location);
      return;
    }
    res
      .status(outcome.status)
      .type('html')
      .send(
        callbackErrorPage({
          title: outcome.title,
          message: outcome.message,
          portalUrl: options.portalUrl,
        }),
      );
  };

  router.post('/onboarding/callback', async (req, res) => {
    const service = options.onboarding();
    if (!req.is('application/x-www-form-urlencoded')) {
      answer(res, {
        type: 'error',
        status: 415,
        title: 'This is not an answer of Microsoft Entra ID',
        message:
          'Microsoft Entra ID posts its answer as a form (application/x-www-form-urlencoded). Start again from the Azure tenants page. Nothing was registered.',
      });
      return;
    }
    const parsed = await new Promise<{ status: number } | undefined>(resolve =>
      readForm(req, res, (error?: any) =>
        resolve(
          error
            ? { status: Number(error.status ?? error.statusCode) || 400 }
            : undefined,
        ),
      ),
    );
    if (parsed) {
      answer(res, {
        type: 'error',
        status:
          parsed.status >= 400 && parsed.status < 500 ? parsed.status : 400,
        title: 'This is not an answer of Microsoft Entra ID',
        message:
          'The form could not be read. Start again from the Azure tenants page. Nothing was registered.',
      });
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    answer(
      res,
      await service.handleCallback({
        state: firstString(body.state),
        code: firstString(body.code),
        error: firstString(body.error),
        error_description: firstString(body.error_description),
      }),
    );
  });

  router.get('/onboarding/callback', async (req, res) => {
    answer(
      res,
      await options.onboarding().handleCallbackInAddress({
        state: firstString(req.query.state),
        code: firstString(req.query.code),
        error: firstString(req.query.error),
        error_description: firstString(req.query.error_description),
      }),
    );
  });

  return router;
}
