// A simulation runs on microtasks only, so a test worker busy with runs never turns its event loop, and
// vitest's own messages to the worker time out ("Timeout calling onTaskUpdate") when a file's runs add up
// to a minute or more. Every test starts after one turn of the event loop, which lets those messages
// through; it changes nothing inside a run.
import { beforeEach } from 'vitest';

beforeEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
