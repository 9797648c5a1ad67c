// DiskFailureInjection: FoundationDB's disk chaos. After startDelay, client 0 picks storage workers at
// Poisson times (mean 1 s): up to workersToThrottle of them get disk stalls and throttling, up to
// workersToCorrupt get single-bit flips in the durable blocks of their storage files (which the storage
// checksums must catch). Every periodicBroadcastInterval it re-sends the commands to the chosen workers
// (a reboot forgets them) and reads their ChaosMetrics (DiskDelays, BitFlips), until chaos was seen
// (FoundChaos).
import { defineWorkload, opt } from '../../src/index.js';

/** The Poisson mean between picks of a storage worker, seconds (FoundationDB's poisson(&lastTime, 1)). */
const PICK_MEAN_SECONDS = 1;

export default defineWorkload({
  name: 'DiskFailureInjection',
  description:
    'Client 0 stalls and throttles the disks of random storage workers and flips bits in their durable ' +
    'blocks, re-sending the commands periodically; checksums must catch every flip.',
  kind: 'chaos',
  options: {
    startDelay: opt.number({ default: 0, min: 0, unit: 's', doc: 'Wait before the first injection.' }),
    testDuration: opt.number({
      default: 60,
      min: 0,
      unit: 's',
      doc: 'How long injections and re-broadcasts go on (counted from the start, startDelay included).',
    }),
    verificationMode: opt.bool({
      default: false,
      doc: 'Keep going until chaos was observed (FoundChaos) and testDuration passed, instead of stopping at testDuration.',
    }),
    throttleDisk: opt.bool({
      default: false,
      doc: 'Stall and throttle the disks of chosen storage workers.',
    }),
    workersToThrottle: opt.int({
      default: 3,
      min: 0,
      unit: 'workers',
      doc: 'How many storage workers get disk stalls and throttling.',
    }),
    stallInterval: opt.number({
      default: 0,
      min: 0,
      unit: 's',
      doc: 'During the stall period, I/O waits for the next multiple of this interval (0 = every I/O stalls).',
    }),
    stallPeriod: opt.number({ default: 60, min: 0, unit: 's', doc: 'How long disk stalls last.' }),
    throttlePeriod: opt.number({
      default: 60,
      min: 0,
      unit: 's',
      doc: 'How long each I/O gets an extra 1-2 ms.',
    }),
    corruptFile: opt.bool({
      default: false,
      doc: 'Flip bits in the durable blocks of the storage files of chosen storage workers.',
    }),
    workersToCorrupt: opt.int({
      default: 1,
      min: 0,
      unit: 'workers',
      doc: 'How many storage workers get bit flips.',
    }),
    percentBitFlips: opt.number({
      default: 10,
      min: 0,
      max: 100,
      unit: '%',
      doc: 'Percentage of the durable blocks of a worker’s storage files that get one flipped bit per command.',
    }),
    periodicBroadcastInterval: opt.number({
      default: 5,
      min: 0.001,
      unit: 's',
      doc: 'How often the commands are re-sent to the chosen workers and ChaosMetrics read.',
    }),
  },
  create(ctx) {
    const o = ctx.options;
    const random = ctx.random;
    const chaos = ctx.chaos;

    /** Chosen workers in the order they were chosen (FoundationDB's chosenWorkers). */
    const chosen: string[] = [];

    /** Runs one fault command; a failure is FoundationDB's SevError DiskFailureInjectionFailed. */
    const command = (address: string, what: string, f: () => void): void => {
      try {
        f();
      } catch (e) {
        ctx.trace(
          'DiskFailureInjectionFailed',
          { OnEndpoint: address, Command: what, Error: e instanceof Error ? e.message : String(e) },
          40,
        );
      }
    };
    const injectDiskDelays = (address: string): void => {
      command(address, 'SetDiskFailure', () => {
        chaos.setDiskFailure(address, {
          stallInterval: o.stallInterval,
          stallPeriod: o.stallPeriod,
          throttlePeriod: o.throttlePeriod,
        });
      });
    };
    const injectBitFlips = (address: string): void => {
      command(address, 'FlipBits', () => {
        chaos.flipBits(address, o.percentBitFlips);
      });
    };

    return {
      async start() {
        if (ctx.clientId !== 0) return;
        const t0 = ctx.now();
        // Verification waits until chaos is observed: with no kind of chaos enabled there is nothing to
        // observe, and the test would never end. It then stops at testDuration, and says why.
        const verify = o.verificationMode && (o.throttleDisk || o.corruptFile);
        if (o.verificationMode && !verify)
          ctx.trace(
            'DiskFailureInjectionNothingToVerify',
            { Reason: 'neither throttleDisk nor corruptFile' },
            30,
          );
        const deadline = verify ? Number.POSITIVE_INFINITY : t0 + o.testDuration;
        let done = false;
        /** Sleeps until `t`; false when the workload is over (deadline reached or told to stop). */
        const sleepUntil = async (t: number): Promise<boolean> => {
          if (done) return false;
          if (!(t < deadline)) {
            if (deadline > ctx.now()) await ctx.delay(deadline - ctx.now());
            return false;
          }
          if (t > ctx.now()) await ctx.delay(t - ctx.now());
          return !done;
        };

        /** FoundationDB's diskFailureInjectionClient: picks storage workers at Poisson times. */
        const injectionClient = async (): Promise<void> => {
          if (!(await sleepUntil(ctx.now() + o.startDelay))) return;
          let lastTime = ctx.now();
          let throttledWorkers = 0;
          let corruptedWorkers = 0;
          for (;;) {
            lastTime += random.exponential(PICK_MEAN_SECONDS);
            if (!(await sleepUntil(lastTime))) return;
            const storage = chaos.processes().filter((p) => p.alive && !p.isTester && p.roles.includes('SS'));
            if (storage.length === 0) {
              ctx.trace('ChaosCouldNotGetStorages', {});
              continue;
            }
            const machine = random.pick(storage);
            if (chosen.includes(machine.address)) continue;
            chosen.push(machine.address);
            if (o.throttleDisk && throttledWorkers++ < o.workersToThrottle) injectDiskDelays(machine.address);
            if (o.corruptFile && corruptedWorkers++ < o.workersToCorrupt) injectBitFlips(machine.address);
          }
        };

        /** FoundationDB's reSendChaos: the chosen workers still alive get their commands again. */
        const reSendChaos = (): void => {
          const alive = new Set(
            chaos
              .processes()
              .filter((p) => p.alive && !p.isTester)
              .map((p) => p.address),
          );
          ctx.trace('ResendChaos', {
            ChosenWorkersSize: chosen.length,
            FoundWorkers: alive.size,
            ResendToNumber: chosen.filter((a) => alive.has(a)).length,
          });
          let throttledWorkers = 0;
          let corruptedWorkers = 0;
          for (const address of chosen) {
            if (!alive.has(address)) continue;
            if (o.throttleDisk && throttledWorkers++ < o.workersToThrottle) injectDiskDelays(address);
            if (o.corruptFile && corruptedWorkers++ < o.workersToCorrupt) injectBitFlips(address);
          }
        };

        /**
         * FoundationDB's chaosGetStatus: the ChaosMetrics (DiskDelays, BitFlips) of the chosen workers that
         * are alive, summed over the kinds of chaos this instance injects.
         */
        const chaosGetStatus = (): number => {
          const alive = new Set(
            chaos
              .processes()
              .filter((p) => p.alive && !p.isTester)
              .map((p) => p.address),
          );
          let found = 0;
          for (const address of chosen) {
            if (!alive.has(address)) continue;
            const m = chaos.chaosMetrics(address);
            ctx.trace('ChaosMetrics', { Address: address, DiskDelays: m.diskDelays, BitFlips: m.bitFlips });
            if (o.throttleDisk) found += m.diskDelays;
            if (o.corruptFile) found += m.bitFlips;
          }
          return found;
        };

        /** FoundationDB's periodicEventBroadcast; resolves once chaos was observed (or the workload ended). */
        const periodicEventBroadcast = async (): Promise<void> => {
          if (!(await sleepUntil(ctx.now() + o.startDelay))) return;
          const begin = ctx.now();
          let elapsed = 0;
          for (;;) {
            if (!(await sleepUntil(begin + elapsed))) return;
            reSendChaos();
            elapsed += o.periodicBroadcastInterval;
            if (!(await sleepUntil(begin + elapsed))) return;
            const found = chaosGetStatus();
            if (found > 0) {
              ctx.trace('FoundChaos', { ChaosMetricCount: found, ClientID: ctx.clientId });
              return;
            }
          }
        };

        const injection = injectionClient();
        const broadcast = periodicEventBroadcast();
        if (verify) {
          // Until chaos was observed and testDuration passed; then the injection client is cancelled.
          await broadcast;
          const end = t0 + o.testDuration;
          if (end > ctx.now()) await ctx.delay(end - ctx.now());
          done = true;
          await injection;
        } else {
          await Promise.all([injection, broadcast]);
        }
      },
      async check() {
        return true;
      },
    };
  },
});
