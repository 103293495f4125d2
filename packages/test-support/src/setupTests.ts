import { listenOnLoopbackOnly } from './listenOnLoopbackOnly';

// startTestBackend would listen on every interface (the package's own test proves that this file is what stops it).
listenOnLoopbackOnly();
