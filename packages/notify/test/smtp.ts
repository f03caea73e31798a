/** A real SMTP server (the `smtp-server` package) on loopback that parses what it receives. */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import type { ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Smtp {
  readonly port: number;
  readonly messages: { mail: ParsedMail; rcpt: string[] }[];
  /** Replies for the next RCPT TO commands (SMTP code), then accept. */
  readonly rcptReplies: number[];
  attempts: number;
  stop(): Promise<void>;
}

export async function startSmtp(): Promise<Smtp> {
  const smtp: { messages: Smtp['messages']; rcptReplies: number[]; attempts: number } = { messages: [], rcptReplies: [], attempts: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, cb) {
      smtp.attempts++;
      const code = smtp.rcptReplies.shift();
      if (code === undefined) return cb();
      cb(Object.assign(new Error(code >= 500 ? 'mailbox unavailable' : 'try again later'), { responseCode: code }));
    },
    onData(stream, session, cb) {
      simpleParser(stream).then(
        (mail) => {
          smtp.messages.push({ mail, rcpt: session.envelope.rcptTo.map((r) => r.address) });
          cb();
        },
        (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
      );
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as AddressInfo).port;
  return Object.assign(smtp, { port, stop: () => new Promise<void>((r) => server.close(() => r())) });
}

