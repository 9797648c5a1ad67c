// Attrition (FoundationDB's MachineAttrition): client 0 kills or reboots machines zone by zone during
// testDuration, choosing kill types as FoundationDB does (KillInstantly, InjectFaults, RebootAndDelete,
// Reboot, RebootProcess), or kills a whole datacenter or data hall. Testers are never targets. The
// simulator's kill-safety policy may downgrade or refuse each kill; what it applied is in the trace.
import { defineWorkload, type KillType, opt, type ProcessInfo, type Random } from '../../src/index.js';

/** One zone of server processes, as Attrition targets it. */
interface Zone {
  readonly zoneId: string;
  readonly dcId: string;
  /** Machines of the zone (usually one), sorted. */
  readonly machineIds: readonly string[];
  /** FoundationDB's LocalityData::toString of one machine of the zone, for the Assassination event. */
  readonly locality: string;
}

/** FoundationDB's iterate mode: kill rounds repeat until this many seconds have passed since the start. */
const MAX_RUN_SECONDS = 60;
const SUSPEND_BACKOFF = 1.5;

/**
 * A rank of a zone that every Attrition instance of one test computes alike: FNV-1a of the test's shared
 * random number and the zone id. FoundationDB coordinates its Attrition instances through a claim table
 * keyed by the shared random number; faultline workloads share no memory, so they agree on one order
 * instead, and only the first (zones - machinesToLeave) zones of it may ever be killed by any of them.
 */
export function sharedZoneRank(sharedRandomNumber: number, zoneId: string): number {
  const text = `${sharedRandomNumber}/${zoneId}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * The zones Attrition instances of one test may claim: all zones ordered by `sharedZoneRank`, cut to
 * `zones.length - machinesToLeave` so that the union of their kills always leaves that many zones.
 */
export function claimableZones<Z extends { readonly zoneId: string }>(
  zones: readonly Z[],
  sharedRandomNumber: number,
  machinesToLeave: number,
): Z[] {
  const ranked = zones
    .map((z) => ({ z, rank: sharedZoneRank(sharedRandomNumber, z.zoneId) }))
    .sort((a, b) => a.rank - b.rank || (a.z.zoneId < b.z.zoneId ? -1 : a.z.zoneId > b.z.zoneId ? 1 : 0));
  return ranked.slice(0, Math.max(0, zones.length - machinesToLeave)).map((r) => r.z);
}

/** The zones of live, non-tester server processes, sorted by zone id. */
export function serverZones(procs: readonly ProcessInfo[]): Zone[] {
  const byZone = new Map<string, ProcessInfo[]>();
  for (const p of procs) {
    if (p.isTester || !p.alive) continue;
    const list = byZone.get(p.zoneId);
    if (list) list.push(p);
    else byZone.set(p.zoneId, [p]);
  }
  return [...byZone.keys()].sort().map((zoneId) => {
    const members = byZone.get(zoneId)!;
    const first = members[0]!;
    return {
      zoneId,
      dcId: first.dcId,
      machineIds: [...new Set(members.map((p) => p.machineId))].sort(),
      locality: `zoneid=${zoneId} machineid=${first.machineId} dcid=${first.dcId} data_hall=${first.dataHall}`,
    };
  });
}

/** The kill type of a datacenter kill without reboot: FoundationDB's randomInt(0, 3) over three kinds. */
function dcKillType(random: Random): KillType {
  const k = random.int(0, 3);
  return k === 0 ? 'KillInstantly' : k === 1 ? 'InjectFaults' : 'RebootAndDelete';
}

/** A boolean option FoundationDB defaults to a random draw: `random`, `true` or `false`. */
const CHANCE_CHOICES = ['random', 'true', 'false'] as const;

/**
 * Options FoundationDB gives Attrition when it adds it as an automatic failure-injection workload: the
 * defaults (its randomizing helper, initializeForInjection, is never called), iterating with a first
 * pause of 10 s. `random` is unused; it keeps the signature of the other workloads' injectedOptions.
 */
export function injectedOptions(_random: Random): Record<string, number | boolean | string> {
  return { suspendDuration: 10, iterate: true, killDc: 'false', replacement: 'false' };
}

export default defineWorkload({
  name: 'Attrition',
  description:
    'Client 0 kills or reboots machines zone by zone (or a whole datacenter or data hall) with ' +
    "FoundationDB's kill types, never testers, leaving machinesToLeave zones alone; the kill-safety policy may downgrade kills.",
  kind: 'chaos',
  options: {
    machinesToKill: opt.int({
      default: 2,
      min: 0,
      unit: 'zones',
      doc: 'Zones to kill or reboot during testDuration (one every testDuration/machinesToKill s on average).',
    }),
    machinesToLeave: opt.int({
      default: 1,
      min: 0,
      unit: 'zones',
      doc: 'Zones no Attrition instance of the test ever touches.',
    }),
    testDuration: opt.number({ default: 10, min: 0, unit: 's', doc: 'Kills happen only in this window.' }),
    reboot: opt.bool({
      default: false,
      doc: 'Reboot instead of kill: 50% reboot one or all processes of the zone (RebootProcess), 50% Reboot the zone.',
    }),
    replacement: opt.string({
      default: 'random',
      choices: CHANCE_CHOICES,
      doc: 'Put a killed zone back among the candidates (reshuffle); random = 50% when reboot, else false.',
    }),
    killDc: opt.string({
      default: 'random',
      choices: CHANCE_CHOICES,
      doc: 'Kill the whole datacenter of one machine instead of zones; random = 25% (as FoundationDB in simulation).',
    }),
    killDatahall: opt.bool({
      default: false,
      doc: 'KillInstantly every machine of the data hall named by the single targetIds entry (in faultline, one per datacenter, named like it).',
    }),
    targetIds: opt.strings({ default: [], doc: 'Target ids: the data hall for killDatahall.' }),
    waitForVersion: opt.bool({
      default: false,
      doc: 'Before each kill wait until a read version can be obtained (the cluster is up).',
    }),
    allowFaultInjection: opt.bool({
      default: true,
      doc: 'Allow InjectFaults kills (random I/O errors on a live process) besides KillInstantly.',
    }),
    suspendDuration: opt.number({
      default: 1,
      min: 0,
      unit: 's',
      doc: 'With iterate, the first pause between kill rounds (x1.5 each round).',
    }),
    iterate: opt.bool({
      default: false,
      doc: 'faultline: FoundationDB’s injected mode — repeat kill rounds after suspendDuration (growing x1.5) until 60 s have passed.',
    }),
  },
  create(ctx) {
    const o = ctx.options;
    const random = ctx.random;
    const chaos = ctx.chaos;
    // FoundationDB draws its random defaults when the workload is constructed.
    const killDcDraw = random.next() < 0.25;
    const replacementDraw = random.next() < 0.5;
    const killDc = o.killDc === 'random' ? killDcDraw : o.killDc === 'true';
    const replacement = o.replacement === 'random' ? o.reboot && replacementDraw : o.replacement === 'true';

    return {
      async start() {
        if (ctx.clientId !== 0) return;
        if (o.killDatahall && o.targetIds.length !== 1) {
          ctx.fail('Attrition: killDatahall needs exactly one targetIds entry (the data hall to kill)', {
            TargetIds: o.targetIds.join(','),
          });
          return;
        }
        const startTime = ctx.now();
        const end = startTime + o.testDuration;
        /** Sleeps `seconds`, cut at the end of testDuration; false when the window closed first. */
        const sleep = async (seconds: number): Promise<boolean> => {
          const until = ctx.now() + Math.max(0, seconds);
          if (until >= end) {
            if (end > ctx.now()) await ctx.delay(end - ctx.now());
            return false;
          }
          if (until > ctx.now()) await ctx.delay(until - ctx.now());
          return true;
        };

        const zones = serverZones(chaos.processes());
        /** This instance's candidates, picked from the back as FoundationDB does. */
        let machines = random.shuffle(claimableZones(zones, ctx.sharedRandomNumber, o.machinesToLeave));
        const killedByMe = new Set<string>();
        const meanDelay = o.machinesToKill > 0 ? o.testDuration / o.machinesToKill : o.testDuration;
        ctx.trace('AttritionStarting', {
          KillDataCenters: killDc,
          Reboot: o.reboot,
          MachinesToLeave: o.machinesToLeave,
          MachinesToKill: o.machinesToKill,
          MeanDelay: meanDelay,
        });

        /**
         * FoundationDB's prepareTargets: drops zones another Attrition instance holds (down now, and not
         * by this instance's hand). False when nothing is left to kill.
         */
        const prepareTargets = (): boolean => {
          const procs = chaos.processes();
          const up = new Set(procs.filter((p) => p.alive && !p.isTester).map((p) => p.zoneId));
          machines = machines.filter((z) => up.has(z.zoneId) || killedByMe.has(z.zoneId));
          return machines.length > 0;
        };

        /** Waits until a read version can be obtained, or the window closes (false). */
        const waitForReadVersion = async (): Promise<boolean> => {
          for (;;) {
            if (ctx.now() >= end) return false;
            const tr = ctx.db.createTransaction();
            const grv = tr.getReadVersion().then(
              () => ({ ok: true as const }),
              (e: unknown) => ({ ok: false as const, error: e }),
            );
            const outcome = await Promise.race([grv, ctx.delay(end - ctx.now()).then(() => undefined)]);
            if (outcome === undefined) return false;
            if (outcome.ok) return true;
            try {
              await tr.onError(outcome.error);
            } catch {
              if (!(await sleep(0.1))) return false;
            }
          }
        };

        /** Kills every machine of `zone` with `type` (FoundationDB's killZone). */
        const killZone = (zone: Zone, type: KillType): void => {
          for (const machineId of zone.machineIds) chaos.killMachine(machineId, type);
        };

        /** FoundationDB's rebootProcess(zoneId, allProcesses): one random or every process of the zone. */
        const rebootInZone = (zone: Zone, allProcesses: boolean): void => {
          const procs = chaos.processes().filter((p) => p.zoneId === zone.zoneId && !p.isTester && p.alive);
          if (procs.length === 0) return;
          const targets = allProcesses ? procs : [random.pick(procs)];
          for (const p of targets) chaos.rebootProcess(p.address);
        };

        /** One round of kills (FoundationDB's machineKillWorker body); false when the window closed. */
        const killRound = async (): Promise<boolean> => {
          if (killDc) {
            if (!(await sleep(random.next() * meanDelay))) return false;
            const all = random.shuffle(zones);
            const target = all[all.length - 1];
            if (target === undefined) return true;
            const kt: KillType = o.reboot ? 'Reboot' : dcKillType(random);
            ctx.trace('Assassination', { TargetDatacenter: target.dcId, Reboot: o.reboot, KillType: kt });
            chaos.killDatacenter(target.dcId, kt);
            return true;
          }
          if (o.killDatahall) {
            if (!(await sleep(random.next() * meanDelay))) return false;
            const hall = o.targetIds[0]!;
            ctx.trace('Assassination', { TargetDataHall: hall, KillType: 'KillInstantly' });
            const hallMachines = [
              ...new Set(
                chaos
                  .processes()
                  .filter((p) => p.dataHall === hall && !p.isTester)
                  .map((p) => p.machineId),
              ),
            ].sort();
            for (const machineId of hallMachines) chaos.killMachine(machineId, 'KillInstantly');
            return true;
          }
          let killedMachines = 0;
          while (killedMachines < o.machinesToKill && prepareTargets()) {
            ctx.trace('WorkerKillBegin', {
              KilledMachines: killedMachines,
              MachinesToKill: o.machinesToKill,
              MachinesToLeave: o.machinesToLeave,
              Machines: machines.length,
            });
            const delayBeforeKill = random.next() * meanDelay;
            if (!(await sleep(delayBeforeKill))) return false;
            ctx.trace('WorkerKillAfterDelay', {});
            if (o.waitForVersion && !(await waitForReadVersion())) return false;
            if (!prepareTargets()) break;
            const target = machines[machines.length - 1]!;
            ctx.trace('Assassination', {
              TargetMachine: target.locality,
              ZoneId: target.zoneId,
              Reboot: o.reboot,
              KilledMachines: killedMachines,
              MachinesToKill: o.machinesToKill,
              MachinesToLeave: o.machinesToLeave,
              Machines: machines.length,
              Replace: replacement,
            });
            killedByMe.add(target.zoneId);
            if (o.reboot) {
              if (random.next() > 0.5) rebootInZone(target, random.next() > 0.5);
              else killZone(target, 'Reboot');
            } else {
              const randomDouble = random.next();
              ctx.trace('WorkerKill', { MachineCount: machines.length, RandomValue: randomDouble });
              if (randomDouble < 0.33) {
                ctx.trace('RebootAndDelete', { TargetMachine: target.locality });
                killZone(target, 'RebootAndDelete');
              } else {
                // FoundationDB leaves FailDisk out here ("FIXME: enable disk stalls").
                killZone(
                  target,
                  o.allowFaultInjection && randomDouble < 0.5 ? 'InjectFaults' : 'KillInstantly',
                );
              }
            }
            killedMachines++;
            // With replacement the zone stays a candidate: reshuffle, since kills pick from the back.
            if (replacement) machines = random.shuffle(machines);
            else machines.pop();
            if (!(await sleep(meanDelay - delayBeforeKill))) return false;
            ctx.trace('WorkerKillAfterMeanDelay', { DelayBeforeKill: delayBeforeKill });
          }
          return true;
        };

        let suspend = o.suspendDuration;
        for (;;) {
          if (!(await killRound())) return;
          if (!o.iterate || ctx.now() - startTime > MAX_RUN_SECONDS) return;
          if (!(await sleep(suspend))) return;
          suspend *= SUSPEND_BACKOFF;
        }
      },
      async check() {
        return true;
      },
    };
  },
});
