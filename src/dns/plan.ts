/** DesiredZone is what one pod should serve for a zone. */
export interface DesiredZone {
  readonly name: string;
  readonly serial: number;
  readonly text: string;
}

/** CurrentZone is what an agent reports for a zone. */
export interface CurrentZone {
  readonly name: string;
  readonly serial: number;
}

/** Plan lists the changes that make one pod's zones equal to the desired ones. */
export interface Plan {
  readonly create: readonly DesiredZone[];
  readonly update: readonly DesiredZone[];
  readonly delete: readonly string[];
}

/**
 * plan compares desired zones with an agent's report. Pure: no I/O. A zone whose serial
 * differs in either direction is updated (a lower serial on the pod means it missed a push; a
 * higher one means an old leader pushed it — the desired serial is chosen above it anyway).
 * `owned` limits deletes to zones this operator manages, so hand-made zones are never touched.
 */
export function plan(desired: readonly DesiredZone[], current: readonly CurrentZone[], owned: (zone: string) => boolean = () => true): Plan {
  const have = new Map(current.map((z) => [z.name, z.serial]));
  const want = new Set(desired.map((z) => z.name));
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  return {
    create: desired.filter((z) => !have.has(z.name)).sort(byName),
    update: desired.filter((z) => have.has(z.name) && have.get(z.name) !== z.serial).sort(byName),
    delete: current.filter((z) => !want.has(z.name) && owned(z.name)).map((z) => z.name).sort(),
  };
}

/** isEmpty is true when the plan changes nothing. */
export function isEmpty(p: Plan): boolean {
  return p.create.length === 0 && p.update.length === 0 && p.delete.length === 0;
}
