import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Command } from 'commander';
import { CliError, printJson, println } from '../output.js';

/** Open a container or fail with exit code 3 (cannot be opened), as `riik verify` would. */
async function open(file: string) {
  const { AsiceError, openContainer } = await import('@riik/asice');
  try {
    return await openContainer({ path: file });
  } catch (err) {
    if (err instanceof AsiceError) throw new CliError(err.code, `${file}: ${err.message}`, 3, { cause: err });
    throw err;
  }
}

export function containerCommand(): Command {
  const cmd = new Command('container').description('look inside ASiC containers (.asice, .bdoc, .asics)');

  cmd
    .command('ls')
    .description('list the data files and signatures (without validating them: see riik verify)')
    .argument('<file>', 'the container')
    .option('--json', 'print as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const container = await open(file);
      try {
        const listing = {
          format: container.format,
          dataFiles: container.dataFiles.map((f) => ({
            name: f.name,
            size: f.size,
            mediaType: f.mediaType ?? null,
          })),
          signatures: container.signatures.map((s) => ({
            file: s.file,
            id: s.xml.id ?? null,
            level: s.level,
            claimedSigningTime: s.qualifyingProperties.signedProperties.signingTime?.toISOString() ?? null,
          })),
          timeStampTokens: container.timeStampTokens.map((t) => t.name),
        };
        if (opts.json) return printJson(listing);
        println(`${file}: ${listing.format}`);
        for (const f of listing.dataFiles)
          println(`  ${String(f.size).padStart(12)}  ${(f.mediaType ?? '-').padEnd(28)} ${f.name}`);
        for (const s of listing.signatures)
          println(
            `  signature ${s.id ?? '(no Id)'} in ${s.file}, ${s.level}, claimed ${s.claimedSigningTime ?? '-'}`,
          );
        for (const t of listing.timeStampTokens) println(`  time-stamp token ${t}`);
      } finally {
        container.close();
      }
    });

  cmd
    .command('extract')
    .description('write the data files (or the named ones) into a directory')
    .argument('<file>', 'the container')
    .argument('[names...]', 'data files to extract (default: all)')
    .option('--out <dir>', 'directory to write into', '.')
    .option('--json', 'print what was written as JSON')
    .action(async (file: string, names: string[], opts: { out: string; json?: boolean }) => {
      const container = await open(file);
      try {
        const wanted = names.length > 0 ? new Set(names) : undefined;
        const missing = names.filter((n) => !container.dataFiles.some((f) => f.name === n));
        if (missing.length > 0)
          throw new CliError('NOT_IN_CONTAINER', `not in ${file}: ${missing.join(', ')}`);
        const base = resolve(opts.out);
        const written: string[] = [];
        for (const f of container.dataFiles) {
          if (wanted && !wanted.has(f.name)) continue;
          // Names were checked when the container was opened; never write outside the directory anyway.
          const target = resolve(base, f.name);
          const rel = relative(base, target);
          if (rel.startsWith('..') || rel.startsWith(sep) || rel === '')
            throw new CliError('ZIP_UNSAFE_PATH', `refusing to write ${f.name} outside ${base}`);
          if (existsSync(target)) throw new CliError('FILE_EXISTS', `${target} exists; not overwriting it`);
          mkdirSync(dirname(target), { recursive: true });
          await pipeline(await container.zip.openStream(f.entry), createWriteStream(target, { flags: 'wx' }));
          written.push(target);
        }
        if (opts.json) printJson({ written });
        else for (const w of written) println(w);
      } finally {
        container.close();
      }
    });
  return cmd;
}
