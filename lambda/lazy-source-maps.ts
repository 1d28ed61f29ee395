/**
 * Stack traces of a bundled function mapped to the TypeScript sources, with the source map read only when a stack
 * is first asked for. `node --enable-source-maps` reads and parses the map (1-2 MB) while the bundle loads, at every
 * cold start (about 40 ms of CPU and 8 MB here), though most cold starts never format a stack. This installs an
 * `Error.prepareStackTrace` (V8's stack trace API, which node's own source map support uses) that maps the frames
 * of the bundle through `<bundle>.map`, loaded on the first stack formatted; frames of other files are written as
 * V8 writes them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The map's sources resolved against the map's own location, as node does for its cached maps. */
function loadMap(mapFile: string): SourceMap | undefined {
  try {
    const payload = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources?: string[]; sourceRoot?: string };
    const base = pathToFileURL(mapFile);
    const root = payload.sourceRoot ? new URL(payload.sourceRoot.replace(/\/?$/, '/'), base) : base;
    payload.sources = (payload.sources ?? []).map((source) => new URL(source, root).href);
    return new SourceMap(payload as ConstructorParameters<typeof SourceMap>[0]);
  } catch {
    // No map or not a map: the frames stay as V8 writes them.
    return undefined;
  }
}

function errorHead(error: unknown): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return '<error>';
  }
}

/**
 * One frame of the bundle, mapped; undefined when the map has no source for its position. `caller`: the next frame
 * when it is in the bundle too, whose call position names the original function when the enclosing one has no name.
 */
function mappedFrame(map: SourceMap, frame: NodeJS.CallSite, caller: NodeJS.CallSite | undefined): string | undefined {
  const line = frame.getLineNumber();
  const column = frame.getColumnNumber();
  if (line === null || column === null) return undefined;
  const entry = map.findEntry(line - 1, column - 1) as Partial<{
    originalSource: string;
    originalLine: number;
    originalColumn: number;
  }>;
  if (entry.originalSource === undefined || entry.originalLine === undefined || entry.originalColumn === undefined) {
    return undefined;
  }
  // The original name of the enclosing function when the map has it (the bundle's names are minified).
  const enclosing = map.findEntry(
    (frame.getEnclosingLineNumber?.() ?? line) - 1,
    (frame.getEnclosingColumnNumber?.() ?? column) - 1,
  ) as Partial<{ name: string }>;
  const callerLine = caller?.getLineNumber();
  const callerColumn = caller?.getColumnNumber();
  const called =
    callerLine && callerColumn ? (map.findEntry(callerLine - 1, callerColumn - 1) as Partial<{ name: string }>) : {};
  const typeName = frame.getTypeName();
  const name =
    enclosing.name ||
    called.name ||
    `${typeName !== null && typeName !== 'global' ? `${typeName}.` : ''}${frame.getFunctionName() ?? frame.getMethodName() ?? '<anonymous>'}`;
  const source = entry.originalSource.startsWith('file://')
    ? fileURLToPath(entry.originalSource)
    : entry.originalSource;
  return `${frame.isAsync() ? 'async ' : ''}${name} (${source}:${entry.originalLine + 1}:${entry.originalColumn + 1})`;
}

/**
 * Maps the stack traces of the bundle at `bundleUrl` (a handler's `import.meta.url`) when `<bundle>.map` is beside
 * it; returns whether it did. Does nothing when node already maps them (`--enable-source-maps`, set by an operator
 * in NODE_OPTIONS), or when there is no map (tests and tsx run the sources themselves).
 */
export function installLazySourceMaps(bundleUrl: string): boolean {
  if (process.sourceMapsEnabled || !bundleUrl.startsWith('file:')) return false;
  const bundle = fileURLToPath(bundleUrl);
  const mapFile = `${bundle}.map`;
  if (!existsSync(mapFile)) return false;
  let map: SourceMap | undefined | null = null;
  Error.prepareStackTrace = (error, frames) => {
    const inBundle = (frame: NodeJS.CallSite | undefined) => {
      const file = frame?.getFileName();
      return file === bundleUrl || file === bundle;
    };
    const lines = frames.map((frame, i) => {
      try {
        if (inBundle(frame)) {
          if (map === null) map = loadMap(mapFile);
          const next = frames[i + 1];
          const mapped = map === undefined ? undefined : mappedFrame(map, frame, inBundle(next) ? next : undefined);
          if (mapped !== undefined) return `\n    at ${mapped}`;
        }
      } catch {
        // A frame the map cannot place: written as V8 writes it. Reading `.stack` must never throw.
      }
      return `\n    at ${frame}`;
    });
    return `${errorHead(error)}${lines.join('')}`;
  };
  return true;
}
