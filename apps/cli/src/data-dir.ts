import { resolve } from 'node:path';

/** The state directory: --data, else RIIK_DATA, else ./.riik (DESIGN: state lives in a directory). */
export function dataDir(option: string | undefined): string {
  return resolve(option ?? process.env.RIIK_DATA ?? '.riik');
}

export const DATA_OPTION = ['--data <dir>', 'state directory (default: $RIIK_DATA or ./.riik)'] as const;
