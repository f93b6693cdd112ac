const methodNamesByPrototype = new Map<object, string[]>();

/** The methods a store class declares (what a wrapper around its instances must forward). */
export function methodNames(store: object): string[] {
  const prototype = Object.getPrototypeOf(store) as object;
  let names = methodNamesByPrototype.get(prototype);
  if (!names) {
    names = Object.getOwnPropertyNames(prototype).filter(
      (name) => name !== 'constructor' && typeof (prototype as Record<string, unknown>)[name] === 'function',
    );
    methodNamesByPrototype.set(prototype, names);
  }
  return names;
}
