/**
 * Preloaded (`node --import`) into a server process by tests: on SIGUSR2 it rejects a promise
 * that nobody handles, the way a forgotten background task fails in production.
 */
process.on('SIGUSR2', () => {
  void Promise.reject(new Error('a deliberate unhandled rejection from the test'));
});
