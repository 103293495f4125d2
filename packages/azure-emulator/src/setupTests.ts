// Every suite here starts an emulator (keys, certificates, an HTTPS server) in its hooks, which takes seconds on a busy
// machine. The package's `jest.testTimeout` is not read when the whole repository's tests run as one jest (a project
// cannot set it), so it is set here, where every run of these tests reads it.
jest.setTimeout(60_000);
