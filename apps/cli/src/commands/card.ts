import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { checkIdCode } from '@riik/core';
import { EidError, EidToken, randomPin, type KeySlot } from '@riik/eid';
import { Certificate, csrToPem, type DocumentType } from '@riik/pki';
import { CaClient } from '../ca-client.js';
import { dataDir, DATA_OPTION } from '../data-dir.js';
import { CliError, printJson, println } from '../output.js';

function pinError(err: unknown): never {
  if (err instanceof EidError) throw new CliError(err.code, err.message);
  throw err;
}

export function cardCommand(): Command {
  const cmd = new Command('card').description(
    'eID tokens: the ID-card, digi-ID and e-resident digi-ID chip, in a file',
  );

  cmd
    .command('issue')
    .description('create a token with both key pairs and get its certificates from the CA')
    .option(...DATA_OPTION)
    .requiredOption('--idcode <code>', 'identification code of the holder')
    .requiredOption('--given-name <name>', 'given name(s)')
    .requiredOption('--surname <name>', 'surname')
    .addOption(
      new Option('--type <type>', 'document type')
        .choices(['id-card', 'digi-id', 'e-resident', 'mobile-id', 'smart-id'])
        .default('id-card'),
    )
    .requiredOption('--out <file>', 'token file to create')
    .option('--pin1 <pin>', 'PIN1 (4-12 digits; random when omitted)')
    .option('--pin2 <pin>', 'PIN2 (5-12 digits; random when omitted)')
    .option('--puk <puk>', 'PUK (8-12 digits; random when omitted)')
    .option('--ca <url>', 'CA service URL (default: the running e-state)')
    .option('--json', 'print the result as JSON')
    .action(
      async (opts: {
        data?: string;
        idcode: string;
        givenName: string;
        surname: string;
        type: DocumentType;
        out: string;
        pin1?: string;
        pin2?: string;
        puk?: string;
        ca?: string;
        json?: boolean;
      }) => {
        const check = checkIdCode(opts.idcode);
        if (!check.valid) throw new CliError(check.fault, `invalid identification code: ${check.reason}`, 2);
        const ca = CaClient.fromDataDir(dataDir(opts.data), opts.ca);
        const generated = !opts.pin1 || !opts.pin2 || !opts.puk;
        const pins = {
          pin1: opts.pin1 ?? randomPin('pin1'),
          pin2: opts.pin2 ?? randomPin('pin2'),
          puk: opts.puk ?? randomPin('puk'),
        };
        const holder = {
          idCode: opts.idcode,
          givenName: opts.givenName.toUpperCase(),
          surname: opts.surname.toUpperCase(),
        };
        const token = await EidToken.create({
          file: opts.out,
          holder,
          documentType: opts.type,
          ...pins,
        }).catch(pinError);
        const subject = { ...holder, documentType: opts.type };
        const issued: Record<KeySlot, { serial: string; subject: string; notAfter: string }> = {} as never;
        for (const [slot, pin] of [
          ['auth', pins.pin1],
          ['sign', pins.pin2],
        ] as const) {
          const csr = csrToPem(await token.createCsr(slot, pin));
          const result = await ca.issue(slot === 'auth' ? 'person-auth' : 'person-sign', csr, subject);
          token.setCertificate(slot, Certificate.fromPem(result.certificate));
          issued[slot] = { serial: result.serial, subject: result.subject, notAfter: result.notAfter };
        }
        if (opts.json)
          printJson({
            token: opts.out,
            holder,
            documentType: opts.type,
            certificates: issued,
            ...(generated ? { pins } : {}),
          });
        else {
          println(
            `eID token ${opts.out} issued to ${holder.givenName} ${holder.surname} (${holder.idCode}), ${opts.type}`,
          );
          println(`  authentication certificate ${issued.auth.serial}, valid until ${issued.auth.notAfter}`);
          println(`  signing certificate        ${issued.sign.serial}, valid until ${issued.sign.notAfter}`);
          if (generated) {
            println('');
            const line = (text: string) => println(`  │ ${text.padEnd(30)} │`);
            println(`  ┌─ PIN envelope ${'─'.repeat(17)}┐`);
            line(`PIN1 ${pins.pin1.padEnd(12)} log in`);
            line(`PIN2 ${pins.pin2.padEnd(12)} sign`);
            line(`PUK  ${pins.puk.padEnd(12)} unblock`);
            println(`  └${'─'.repeat(32)}┘`);
          }
        }
      },
    );

  cmd
    .command('certs')
    .description('write the token certificates as auth.pem and sign.pem')
    .argument('<token>', 'token file')
    .requiredOption('--out <dir>', 'directory to write into')
    .action((file: string, opts: { out: string }) => {
      const token = EidToken.open(file);
      mkdirSync(opts.out, { recursive: true });
      for (const slot of ['auth', 'sign'] as const)
        writeFileSync(join(opts.out, `${slot}.pem`), token.certificate(slot).toPem());
      println(`wrote ${join(opts.out, 'auth.pem')} and ${join(opts.out, 'sign.pem')}`);
    });

  cmd
    .command('info')
    .description('holder, certificates and PIN tries left')
    .argument('<token>', 'token file')
    .option('--json', 'print as JSON')
    .action((file: string, opts: { json?: boolean }) => {
      const token = EidToken.open(file);
      const certs = token.hasCertificates()
        ? Object.fromEntries(
            (['auth', 'sign'] as const).map((s) => {
              const c = token.certificate(s);
              return [
                s,
                { serial: c.serialHex, subject: c.subjectString, notAfter: c.notAfter.toISOString() },
              ];
            }),
          )
        : {};
      const info = {
        holder: token.holder,
        documentType: token.documentType,
        triesLeft: token.triesLeft(),
        certificates: certs,
      };
      if (opts.json) printJson(info);
      else {
        println(
          `${info.holder.givenName} ${info.holder.surname} (${info.holder.idCode}), ${info.documentType}`,
        );
        println(
          `tries left: PIN1 ${info.triesLeft.pin1}, PIN2 ${info.triesLeft.pin2}, PUK ${info.triesLeft.puk}`,
        );
        for (const [s, c] of Object.entries(certs)) println(`${s}: ${c.serial} until ${c.notAfter}`);
      }
    });

  for (const action of ['suspend', 'resume', 'revoke'] as const) {
    const sub = cmd
      .command(action)
      .description(`${action} both certificates of a token through the CA operator API`)
      .argument('<token>', 'token file')
      .option(...DATA_OPTION)
      .option('--ca <url>', 'CA service URL (default: the running e-state)')
      .option('--json', 'print the result as JSON');
    if (action === 'revoke') {
      sub.addOption(
        new Option('--reason <reason>', 'RFC 5280 reason')
          .choices([
            'unspecified',
            'keyCompromise',
            'affiliationChanged',
            'superseded',
            'cessationOfOperation',
            'privilegeWithdrawn',
          ])
          .default('unspecified'),
      );
    }
    sub.action(
      async (file: string, opts: { data?: string; ca?: string; reason?: string; json?: boolean }) => {
        const token = EidToken.open(file);
        const ca = CaClient.fromDataDir(dataDir(opts.data), opts.ca);
        const results: Record<string, string> = {};
        for (const slot of ['auth', 'sign'] as const) {
          const serial = token.certificate(slot).serialHex;
          results[slot] = (await ca.changeStatus(serial, action, opts.reason)).status;
        }
        if (opts.json) printJson(results);
        else println(`auth: ${results.auth}, sign: ${results.sign}`);
      },
    );
  }

  cmd
    .command('change-pin')
    .description('change PIN1 or PIN2')
    .argument('<token>', 'token file')
    .addOption(new Option('--which <pin>', 'which PIN').choices(['pin1', 'pin2']).makeOptionMandatory())
    .requiredOption('--old <pin>', 'current PIN')
    .requiredOption('--new <pin>', 'new PIN')
    .action(async (file: string, opts: { which: 'pin1' | 'pin2'; old: string; new: string }) => {
      await EidToken.open(file).changePin(opts.which, opts.old, opts.new).catch(pinError);
      println(`${opts.which.toUpperCase()} changed`);
    });

  cmd
    .command('unblock')
    .description('unblock PIN1 or PIN2 with the PUK and set a new PIN')
    .argument('<token>', 'token file')
    .addOption(new Option('--which <pin>', 'which PIN').choices(['pin1', 'pin2']).makeOptionMandatory())
    .requiredOption('--puk <puk>', 'PUK')
    .requiredOption('--new <pin>', 'new PIN')
    .action(async (file: string, opts: { which: 'pin1' | 'pin2'; puk: string; new: string }) => {
      await EidToken.open(file).unblock(opts.which, opts.puk, opts.new).catch(pinError);
      println(`${opts.which.toUpperCase()} unblocked`);
    });
  return cmd;
}
