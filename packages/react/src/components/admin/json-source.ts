/** A place in a text: 1-based line and column, and the 0-based offset. */
export interface SourcePosition {
  offset: number;
  line: number;
  column: number;
}

/** What {@link parseJsonSource} finds. */
export type JsonSource =
  | {
      ok: true;
      value: unknown;
      /**
       * Where the value at a dotted path starts (`and.1.eq.0`: keys and array indexes), as a
       * server's issue paths name them; undefined when the text has no such value.
       */
      locate(path: string): SourcePosition | undefined;
    }
  | { ok: false; message: string; position: SourcePosition };

/** Past this nesting the text is refused rather than risk the stack (policies allow 8 levels). */
const MAX_DEPTH = 256;
const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/**
 * Parses JSON text, saying where it breaks as line and column with a message of our own (the
 * engines' `JSON.parse` messages differ, and some give no position), and where each value
 * starts, so that a server's complaint about `condition.and.1` can point at its line.
 *
 * @example
 * parseJsonSource('{ "eq": [1, ] }');
 * // { ok: false, message: 'Expected a value', position: { offset: 12, line: 1, column: 13 } }
 */
export function parseJsonSource(text: string): JsonSource {
  const starts = new Map<string, number>();
  let index = 0;

  class SyntaxProblem extends Error {
    constructor(
      message: string,
      readonly offset: number,
    ) {
      super(message);
    }
  }
  const fail = (message: string, at = index): never => {
    throw new SyntaxProblem(message, at);
  };

  const skipSpace = () => {
    while (index < text.length) {
      const c = text[index];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') index++;
      else break;
    }
  };

  const expectEnd = (what: string) => {
    if (index >= text.length) fail(`Unexpected end of input: ${what}`);
  };

  const parseString = () => {
    const start = index;
    index++; // the opening quote
    while (true) {
      if (index >= text.length) fail('Unterminated string: a closing " is missing', start);
      const c = text.charCodeAt(index);
      if (c === 0x22) {
        index++;
        return;
      }
      if (c < 0x20)
        fail(
          c === 0x0a
            ? 'Unterminated string: a line break inside a string'
            : 'A control character inside a string',
        );
      if (c === 0x5c) {
        const next = text[index + 1];
        if (next === undefined) fail('Unterminated string: a closing " is missing', start);
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(index + 2, index + 6)))
            fail('Invalid \\u escape: four hex digits expected');
          index += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) {
          index += 2;
        } else {
          fail(`Invalid escape \\${next}`);
        }
      } else {
        index++;
      }
    }
  };

  const parseNumber = () => {
    NUMBER.lastIndex = index;
    const match = NUMBER.exec(text);
    if (!match) fail('Invalid number');
    index += (match as RegExpExecArray)[0].length;
    const next = text[index];
    if (next !== undefined && /[0-9A-Za-z.]/.test(next)) fail('Invalid number');
  };

  const parseValue = (path: string, depth: number): void => {
    skipSpace();
    expectEnd('a value was expected');
    if (depth > MAX_DEPTH) fail(`Nested deeper than ${MAX_DEPTH} levels`);
    starts.set(path, index);
    const c = text[index];
    if (c === '{') parseObject(path, depth);
    else if (c === '[') parseArray(path, depth);
    else if (c === '"') parseString();
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) parseNumber();
    else parseWord(c);
  };

  const parseWord = (c: string | undefined) => {
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, index)) {
        index += word.length;
        return;
      }
    }
    if (c === "'") fail('Strings take double quotes (")');
    if (c === '}' || c === ']' || c === ',') fail('Expected a value');
    fail(`Unexpected ${describe(c)}: expected a value`);
  };

  const child = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

  const parseObject = (path: string, depth: number) => {
    index++;
    skipSpace();
    if (text[index] === '}') {
      index++;
      return;
    }
    while (true) {
      skipSpace();
      expectEnd('a property name was expected');
      if (text[index] === '}') fail('Trailing comma: remove the last ","', lastComma(index));
      if (text[index] !== '"') {
        fail(
          text[index] === "'"
            ? 'Property names take double quotes (")'
            : 'Expected a property name in double quotes',
        );
      }
      const keyStart = index;
      parseString();
      const key = JSON.parse(text.slice(keyStart, index)) as string;
      skipSpace();
      expectEnd('":" was expected');
      if (text[index] !== ':') fail('Expected ":" after the property name');
      index++;
      parseValue(child(path, key), depth + 1);
      skipSpace();
      expectEnd('"," or "}" was expected');
      if (text[index] === ',') {
        index++;
        continue;
      }
      if (text[index] === '}') {
        index++;
        return;
      }
      fail('Expected "," or "}"');
    }
  };

  const parseArray = (path: string, depth: number) => {
    index++;
    skipSpace();
    if (text[index] === ']') {
      index++;
      return;
    }
    for (let i = 0; ; i++) {
      skipSpace();
      if (text[index] === ']') fail('Trailing comma: remove the last ","', lastComma(index));
      parseValue(child(path, String(i)), depth + 1);
      skipSpace();
      expectEnd('"," or "]" was expected');
      if (text[index] === ',') {
        index++;
        continue;
      }
      if (text[index] === ']') {
        index++;
        return;
      }
      fail('Expected "," or "]"');
    }
  };

  const lastComma = (from: number) => text.lastIndexOf(',', from);

  try {
    parseValue('', 0);
    skipSpace();
    if (index < text.length) fail('Unexpected text after the end of the JSON value');
  } catch (error) {
    if (!(error instanceof SyntaxProblem)) throw error;
    return { ok: false, message: error.message, position: positionAt(text, error.offset) };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // the scan above follows JSON's grammar; this is only for an engine that disagrees
    return { ok: false, message: (error as Error).message, position: positionAt(text, 0) };
  }
  return {
    ok: true,
    value,
    locate(path) {
      const offset = starts.get(path);
      return offset === undefined ? undefined : positionAt(text, offset);
    },
  };
}

/** The line and column of an offset in `text`. */
export function positionAt(text: string, offset: number): SourcePosition {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { offset, line, column };
}

function describe(c: string | undefined): string {
  if (c === undefined) return 'end of input';
  return /\s/.test(c) ? 'whitespace' : `"${c}"`;
}
