// Merging the configuration file with command-line options.
import { resolve } from 'node:path';
import { displayPath } from '../engine/discover.js';
import type { Severity } from '../engine/types.js';
import { ConfigError, findConfigFile, loadConfig, parseTargetVersion, type Config } from './config.js';

export interface CliSelection {
  select?: string[];
  ignore?: string[];
}

/**
 * The configuration for a run: `--config FILE`, else the nearest configuration above the first path
 * (none with `--isolated`). Throws ConfigError.
 */
export function configFor(paths: string[], cwd: string, explicit: string | undefined, isolated: boolean): Config | undefined {
  if (isolated) return undefined;
  if (explicit !== undefined) return loadConfig(resolve(cwd, explicit), explicit);
  const found = findConfigFile(resolve(cwd, paths[0] ?? '.'));
  return found ? loadConfig(found, displayPath(found, cwd)) : undefined;
}

/** Rule selection: a command-line `--select` replaces the configuration's select and ignore; `--ignore` adds. */
export function mergeSelection(cli: CliSelection, cfg: Config | undefined): { select?: string[]; ignore: string[] } {
  if (cli.select) return { select: cli.select, ignore: cli.ignore ?? [] };
  return { ...(cfg?.select ? { select: cfg.select } : {}), ignore: [...(cfg?.ignore ?? []), ...(cli.ignore ?? [])] };
}

export function failOn(cli: Severity | undefined, cfg: Config | undefined): Severity {
  return cli ?? cfg?.failOn ?? 'warning';
}

/** `--target-version` value → minor, or a usage message. */
export function cliTargetVersion(v: unknown): number {
  return parseTargetVersion(v, (m) => {
    throw new ConfigError('--target-version', null, m);
  });
}
