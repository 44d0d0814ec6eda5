/**
 * Parser throughput: our `parseMessage` against drachtio-srf's bundled JavaScript parser
 * (`drachtio-srf/lib/sip-parser/parser.js`), same inputs, same run, alternating rounds.
 *
 * Comparable work: drachtio's `SipMessage` parses a message with `parseSipMessage(raw, true)`
 * (lazy: start line + headers as strings + body), and so does the baseline here; ours yields the
 * start line, every header in order and the body bytes. The `-access` figures add what every
 * packet needs downstream: all Via, From, To, CSeq parsed and Call-ID read — through
 * drachtio's own header parsers for the baseline.
 */
import { createRequire } from 'node:module';
import { getHeader, headerValues, parseCSeq, parseMessage, parseNameAddr, parseVia, type SipMessage } from '../src/sip/message/index.js';
import type { BenchFigure } from './bench-figure.js';
import { compareThroughput, consume } from './measure.js';
import { inviteCorpus, okCorpus } from './parser-corpus.js';

interface DrachtioParser {
  parseSipMessage(raw: Buffer | string, lazy: boolean): { headers: Record<string, string>; body?: string } | undefined;
  getParser(name: string): (data: { s: string; i: number }, h?: unknown) => unknown;
}

const drachtio = createRequire(import.meta.url)('drachtio-srf/lib/sip-parser/parser.js') as DrachtioParser;
const CORPUS_SIZE = 512;

function ours(corpus: Buffer[]): (i: number) => void {
  return (i) => {
    const r = parseMessage(corpus[i % corpus.length] as Buffer);
    consume(r.ok ? r.message.headers : r);
  };
}

function oursWithAccess(corpus: Buffer[]): (i: number) => void {
  return (i) => {
    const r = parseMessage(corpus[i % corpus.length] as Buffer);
    if (!r.ok) throw new Error(r.error.reason);
    const m: SipMessage = r.message;
    for (const v of headerValues(m, 'via')) consume(parseVia(v));
    consume(parseNameAddr(getHeader(m, 'from') as string).tag);
    consume(parseNameAddr(getHeader(m, 'to') as string));
    consume(parseCSeq(getHeader(m, 'cseq') as string).seq);
    consume(getHeader(m, 'call-id'));
  };
}

function theirs(corpus: Buffer[]): (i: number) => void {
  return (i) => consume(drachtio.parseSipMessage(corpus[i % corpus.length] as Buffer, true));
}

function theirsWithAccess(corpus: Buffer[]): (i: number) => void {
  const via = drachtio.getParser('via');
  const from = drachtio.getParser('from');
  const to = drachtio.getParser('to');
  const cseq = drachtio.getParser('cseq');
  return (i) => {
    const m = drachtio.parseSipMessage(corpus[i % corpus.length] as Buffer, true);
    if (!m) throw new Error('drachtio parser failed on the corpus');
    consume(via({ s: m.headers.via as string, i: 0 }));
    consume(from({ s: m.headers.from as string, i: 0 }));
    consume(to({ s: m.headers.to as string, i: 0 }));
    consume(cseq({ s: m.headers.cseq as string, i: 0 }));
    consume(m.headers['call-id']);
  };
}

function figure(bench: string, value: number, baseline: number, note: string): BenchFigure {
  return { bench, value, unit: 'msgs/s', baseline, ratio: value / baseline, note };
}

/** Both parsers must accept the whole corpus, or the comparison means nothing. */
function checkCorpus(name: string, corpus: Buffer[]): void {
  for (const b of corpus) {
    const r = parseMessage(b);
    if (!r.ok) throw new Error(`${name}: our parser rejected the corpus: ${r.error.reason}`);
    if (!drachtio.parseSipMessage(b, true)) throw new Error(`${name}: drachtio parser rejected the corpus`);
  }
}

export default async function run(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const corpora: [string, Buffer[]][] = [
    ['invite', inviteCorpus(CORPUS_SIZE)],
    ['200ok', okCorpus(CORPUS_SIZE)],
  ];
  for (const [name, corpus] of corpora) {
    checkCorpus(name, corpus);
    const bytes = Math.round(corpus.reduce((n, b) => n + b.length, 0) / corpus.length);
    const parse = compareThroughput({ ours: ours(corpus), drachtio: theirs(corpus) });
    figures.push(figure(`parser-${name}`, parse.ours, parse.drachtio, `parse only, ~${bytes} B/msg`));
    const access = compareThroughput({ ours: oursWithAccess(corpus), drachtio: theirsWithAccess(corpus) });
    figures.push(figure(`parser-${name}-access`, access.ours, access.drachtio, 'parse + Via/From/To/CSeq/Call-ID'));
  }
  return figures;
}
