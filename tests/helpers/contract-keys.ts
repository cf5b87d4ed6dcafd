/*
 * Every key an input schema of the contract can carry, dotted for nested ones, found by walking the zod schema:
 * the security tables (gate-table, frozen-table) derive from it which methods take an id they must guard, so a
 * new method is classified the day it is added.
 */
export type Walkable = { _zod: { def: Record<string, unknown> & { type: string } } }
export function inputKeysOf(schema: Walkable, prefix = '', out: string[] = []): string[] {
  const def = schema._zod.def
  if (def.type === 'object')
    for (const [k, v] of Object.entries(def.shape as Record<string, Walkable>)) {
      out.push(`${prefix}${k}`)
      inputKeysOf(v, `${prefix}${k}.`, out)
    }
  else if (
    ['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch'].includes(def.type)
  )
    inputKeysOf(def.innerType as Walkable, prefix, out)
  else if (def.type === 'array') inputKeysOf(def.element as Walkable, prefix, out)
  else if (def.type === 'pipe') inputKeysOf(def.in as Walkable, prefix, out)
  else if (def.type === 'record') inputKeysOf(def.valueType as Walkable, prefix, out)
  else if (def.type === 'union') for (const o of def.options as Walkable[]) inputKeysOf(o, prefix, out)
  return out
}
