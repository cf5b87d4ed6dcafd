export declare const repoRoot: string
export declare function bundleIsFresh(bundle: string): boolean
