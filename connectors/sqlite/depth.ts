/**
 * Queries posted to each SQLite query thread at once: one running, one waiting in the thread
 * to start the moment the first ends. Its own module, so the registry can read it without
 * loading the connector (and its driver).
 */
export const SQLITE_THREAD_DEPTH = 2;
