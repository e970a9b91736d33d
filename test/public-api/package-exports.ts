// What each entry point of each workspace package exports: runtime names from its built ESM and
// CommonJS files, and every name (values and types) from its .d.ts through TypeScript's compiler
// API. public-api.test.ts writes this into each package's api-report.md.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";

/** One `exports` key of a package and the built files its conditions point at. */
export interface PackageEntry {
  /** What an app imports: `@chaukas/client` or `@chaukas/client/rest`. */
  readonly specifier: string;
  readonly esm: string;
  readonly commonJs: string;
  readonly declarations: string;
}

export interface WorkspacePackage {
  readonly name: string;
  readonly dir: string;
  readonly entries: readonly PackageEntry[];
}

/** A name in an entry's .d.ts: its kind of declaration, and whether it is marked `@internal`. */
export interface DeclaredExport {
  readonly name: string;
  readonly kind: string;
  readonly internal: boolean;
}

interface ConditionalTarget {
  readonly import: { readonly types: string; readonly default: string };
  readonly require: { readonly types: string; readonly default: string };
}

/** Every package under `packagesDir` with its entry points, in the order of its `exports` map. */
export function workspacePackages(packagesDir: string): WorkspacePackage[] {
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const dir = join(packagesDir, entry.name);
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        name: string;
        exports: Record<string, ConditionalTarget>;
      };
      const entries = Object.entries(manifest.exports).map(([key, target]) => ({
        specifier: key === "." ? manifest.name : `${manifest.name}/${key.slice(2)}`,
        esm: join(dir, target.import.default),
        commonJs: join(dir, target.require.default),
        declarations: join(dir, target.import.types),
      }));
      return { name: manifest.name, dir, entries };
    });
}

/** The names a module gives an ESM importer (a CommonJS one: what cjs-module-lexer finds). */
export async function runtimeNames(file: string): Promise<string[]> {
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  return Object.keys(module).sort();
}

/** The named exports of each .d.ts file, sorted by name; one compiler program for them all. */
export function declaredExports(files: readonly string[]): Map<string, DeclaredExport[]> {
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const result = new Map<string, DeclaredExport[]>();
  for (const file of files) {
    const source = program.getSourceFile(file);
    const module = source && checker.getSymbolAtLocation(source);
    if (module === undefined) throw new Error(`${file}: not a module TypeScript could read`);
    const names = checker.getExportsOfModule(module).map((symbol) => {
      const target =
        symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return {
        name: symbol.name,
        kind: kindOf(target.flags),
        internal: isInternal(symbol, target),
      };
    });
    result.set(
      file,
      names.sort((a, b) => compareNames(a.name, b.name)),
    );
  }
  return result;
}

/**
 * Marked `@internal` where it is declared, or on the `export … from` statement that re-exports it
 * (TypeDoc's `excludeInternal` reads both; a tag on one name inside the braces it does not read).
 */
function isInternal(symbol: ts.Symbol, target: ts.Symbol): boolean {
  const statements = (symbol.declarations ?? []).map((declaration) =>
    ts.isExportSpecifier(declaration) ? declaration.parent.parent : declaration,
  );
  return [...statements, ...(target.declarations ?? [])].some((node) =>
    ts.getJSDocTags(node).some((tag) => tag.tagName.text === "internal"),
  );
}

function kindOf(flags: ts.SymbolFlags): string {
  if (flags & ts.SymbolFlags.Class) return "class";
  if (flags & ts.SymbolFlags.Enum) return "enum";
  if (flags & ts.SymbolFlags.Function) return "function";
  if (flags & ts.SymbolFlags.Variable) return "const";
  if (flags & ts.SymbolFlags.Interface) return "interface";
  if (flags & ts.SymbolFlags.TypeAlias) return "type";
  if (flags & ts.SymbolFlags.Module) return "namespace";
  return "other";
}

/** Code-point order, so that the reports do not depend on the machine's locale. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
