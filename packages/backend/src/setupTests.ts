import { listenOnLoopbackOnly } from '@azure-tenant/test-support';

// startTestBackend would listen on every interface.
listenOnLoopbackOnly();
