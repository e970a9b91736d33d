/** A public workspace package. */
export interface PublicPackage {
  readonly dir: string;
  readonly name: string;
  readonly version: string;
}

/** The workspace packages that are published: packages/* not marked private. */
export function publicPackages(): PublicPackage[];

/** Packs each public package into `destination`; returns each with the path of its tarball. */
export function packPackages(destination: string): Array<PublicPackage & { tarball: string }>;
