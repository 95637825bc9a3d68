import { tokenizeZhChars } from '../text/zh-char-tokenizer.js';
import { mulberry32, pick, type Rand } from './mulberry32.js';
import { toChineseNumber } from './zh-numbers.js';
import {
  ADJECTIVES, NAMES, NOUNS, NUMBER_WORDS, PEOPLE, PLACES, POSSESSIVES, PRONOUNS, TIMES, VERBS,
  type Noun, type Subject, type Tense, type Verb,
} from './zh-en-lexicon.js';

/** One Chinese sentence and its canonical English translation. */
export interface SentencePair {
  zh: string;
  en: string;
}

/** Options for `generatePairs`. */
export interface GenerateOptions {
  /** Number of pairs (1..1,000,000). */
  n: number;
  /** Seed for mulberry32. */
  seed: number;
  /** Fewest Chinese character tokens per sentence, punctuation included (default 3). */
  minTokens?: number;
  /** Most Chinese character tokens per sentence (default 25). */
  maxTokens?: number;
}

interface Phrase {
  zh: string;
  en: string;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) && !/^(uni|one|eu)/i.test(word) ? 'an' : 'a';
}

function withArticle(words: string): string {
  return `${article(words)} ${words}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** English for a count: words up to ten, digits above, so numbers stay one token each. */
function numberEn(n: number): string {
  return n <= 10 ? NUMBER_WORDS[n]! : String(n);
}

// Mostly small counts, with a tail of large ones whose Chinese form needs reordering to read.
function drawCount(rand: Rand): number {
  const r = rand();
  if (r < 0.3) return 1;
  if (r < 0.65) return 2 + Math.floor(rand() * 9);
  if (r < 0.8) return 11 + Math.floor(rand() * 89);
  if (r < 0.92) return 100 + Math.floor(rand() * 9900);
  return 10000 + Math.floor(rand() * 90000);
}

/** An attributive adjective (or none) for a noun: Chinese prefix and English words. */
function drawAttr(rand: Rand, noun: Noun, p: number): Phrase | null {
  if (noun.attr.length === 0 || rand() >= p) return null;
  const adj = ADJECTIVES[pick(rand, noun.attr)]!;
  if (adj.kind === 'color') return { zh: `${adj.zh}的`, en: adj.en };
  if (rand() < 0.35) return { zh: `很${adj.zh}的`, en: `very ${adj.en}` };
  return adj.kind === 'mono' ? { zh: adj.zh, en: adj.en } : { zh: `${adj.zh}的`, en: adj.en };
}

function nounHead(noun: Noun, attr: Phrase | null, plural: boolean): Phrase {
  const en = plural ? noun.plural : noun.en;
  return { zh: (attr ? attr.zh : '') + noun.zh, en: attr ? `${attr.en} ${en}` : en };
}

/** 三本红色的书 -> three red books; 一杯咖啡 -> a cup of coffee. */
function countedNp(rand: Rand, noun: Noun, n: number, attrP = 0.3): Phrase {
  const attr = drawAttr(rand, noun, attrP);
  const zhNum = toChineseNumber(n) + noun.measure;
  if (noun.container) {
    const unit = n === 1 ? noun.container[0] : noun.container[1];
    const en = `${unit} of ${noun.en}`;
    return { zh: zhNum + noun.zh, en: n === 1 ? withArticle(en) : `${numberEn(n)} ${en}` };
  }
  const head = nounHead(noun, attr, n !== 1);
  return { zh: zhNum + head.zh, en: n === 1 ? withArticle(head.en) : `${numberEn(n)} ${head.en}` };
}

/** 这本书 -> this book; 那三辆车 -> those three cars. */
function demonstrativeNp(rand: Rand, noun: Noun, attrP = 0.3): Phrase {
  const near = rand() < 0.5;
  const n = rand() < 0.7 ? 1 : 2 + Math.floor(rand() * 9);
  const zhDem = near ? '这' : '那';
  const zhNum = (n === 1 ? '' : toChineseNumber(n)) + noun.measure;
  if (noun.container) {
    const enDem = n === 1 ? (near ? 'this' : 'that') : `${near ? 'these' : 'those'} ${numberEn(n)}`;
    return { zh: zhDem + zhNum + noun.zh, en: `${enDem} ${n === 1 ? noun.container[0] : noun.container[1]} of ${noun.en}` };
  }
  const head = nounHead(noun, drawAttr(rand, noun, attrP), n !== 1);
  const enDem = n === 1 ? (near ? 'this' : 'that') : `${near ? 'these' : 'those'} ${numberEn(n)}`;
  return { zh: zhDem + zhNum + head.zh, en: `${enDem} ${head.en}` };
}

/** A bare object noun is generic: plural for count nouns (红色的车 -> red cars), mass as is. */
function bareNp(rand: Rand, noun: Noun): Phrase {
  return nounHead(noun, drawAttr(rand, noun, 0.25), true);
}

function drawSubject(rand: Rand): Subject {
  const r = rand();
  if (r < 0.6) return pick(rand, PRONOUNS);
  if (r < 0.7) return pick(rand, NAMES);
  const [pzh, pen] = pick(rand, POSSESSIVES);
  const [kzh, ken] = pick(rand, PEOPLE);
  return { zh: pzh + kzh, en: `${pen} ${ken}`, person: 3, plural: false };
}

function third(s: Subject): boolean {
  return s.person === 3 && !s.plural;
}

function be(s: Subject): string {
  if (s.person === 1 && !s.plural) return 'am';
  return third(s) ? 'is' : 'are';
}

function doAux(s: Subject): string {
  return third(s) ? 'does' : 'do';
}

function drawTense(rand: Rand): Tense {
  const r = rand();
  return r < 0.45 ? 'past' : r < 0.7 ? 'habitual' : r < 0.9 ? 'future' : 'progressive';
}

/** Time phrase for a tense; past and habitual may go without one. */
function drawTime(rand: Rand, tense: Tense): Phrase | null {
  if (tense === 'progressive') return null;
  if (tense === 'future' || rand() < 0.7) {
    const [zh, en] = pick(rand, TIMES[tense]);
    return { zh, en };
  }
  return null;
}

function drawPlace(rand: Rand, tense: Tense, p = 0.45): Phrase | null {
  if (tense === 'progressive' || rand() >= p) return null;
  const [zh, en] = pick(rand, PLACES);
  return { zh: `在${zh}`, en };
}

/** Chinese: [time] subject [time] ... ; the time may precede or follow the subject. */
function zhClause(rand: Rand, subj: Subject, time: Phrase | null, rest: string): string {
  if (!time) return subj.zh + rest;
  return rand() < 0.3 ? time.zh + subj.zh + rest : subj.zh + time.zh + rest;
}

function tail(...parts: (Phrase | null | string)[]): string {
  return parts
    .map((p) => (p === null ? '' : typeof p === 'string' ? p : p.en))
    .filter((s) => s.length > 0)
    .join(' ');
}

/** Chinese verb group before the object: 看了 / 没看 / 会看 / 不会看 / 看 / 不看 / 正在看. */
function zhVerb(verb: Verb, tense: Tense, neg: boolean, place: Phrase | null): string {
  const p = place ? place.zh : '';
  switch (tense) {
    case 'past':
      return neg ? `没${p}${verb.zh}` : `${p}${verb.zh}了`;
    case 'future':
      return `${neg ? '不会' : '会'}${p}${verb.zh}`;
    case 'habitual':
      return `${neg ? '不' : ''}${p}${verb.zh}`;
    case 'progressive':
      return `正在${verb.zh}`;
  }
}

/** English verb group of a statement: read / didn't read / will read / reads / is reading. */
function enVerb(subj: Subject, verb: Verb, tense: Tense, neg: boolean): string {
  switch (tense) {
    case 'past':
      return neg ? `didn't ${verb.base}` : verb.past;
    case 'future':
      return neg ? `won't ${verb.base}` : `will ${verb.base}`;
    case 'habitual':
      return neg ? `${third(subj) ? "doesn't" : "don't"} ${verb.base}` : third(subj) ? verb.s3 : verb.base;
    case 'progressive':
      return `${be(subj)} ${verb.ing}`;
  }
}

/** Auxiliary and main verb of a question: [did, read] / [will, read] / [does, read] / [is, reading]. */
function enQuestionVerb(subj: Subject, verb: Verb, tense: Tense): [string, string] {
  switch (tense) {
    case 'past':
      return ['did', verb.base];
    case 'future':
      return ['will', verb.base];
    case 'habitual':
      return [doAux(subj), verb.base];
    case 'progressive':
      return [be(subj), verb.ing];
  }
}

/** An object for a verb in a given tense and polarity. */
function drawObject(rand: Rand, verb: Verb, tense: Tense, neg: boolean): Phrase {
  const noun = NOUNS[pick(rand, verb.objects)]!;
  const r = rand();
  if (neg) return r < 0.6 ? bareNp(rand, noun) : demonstrativeNp(rand, noun);
  if (tense === 'past') return r < 0.75 ? countedNp(rand, noun, drawCount(rand)) : demonstrativeNp(rand, noun);
  if (r < 0.3) return bareNp(rand, noun);
  if (r < 0.8) return countedNp(rand, noun, drawCount(rand));
  return demonstrativeNp(rand, noun);
}

// Past intransitive verbs take 了 at the end (他游泳了), like transitive ones after the verb.
function actionStatement(rand: Rand): Phrase & { q: boolean } {
  const subj = drawSubject(rand);
  const verb = pick(rand, VERBS);
  const tense = drawTense(rand);
  const neg = tense !== 'progressive' && rand() < 0.25;
  const time = drawTime(rand, tense);
  const place = drawPlace(rand, tense);
  const obj = verb.objects.length > 0 ? drawObject(rand, verb, tense, neg) : null;
  const zhV = zhVerb(verb, tense, neg, place);
  const zhRest = zhV + (obj ? obj.zh : '');
  const en = tail(subj.en, enVerb(subj, verb, tense, neg), obj, place, time);
  return { zh: zhClause(rand, subj, time, zhRest), en, q: false };
}

function yesNoQuestion(rand: Rand): Phrase & { q: boolean } {
  const subj = drawSubject(rand);
  const verb = pick(rand, VERBS);
  const tense = drawTense(rand);
  const time = drawTime(rand, tense);
  const place = drawPlace(rand, tense);
  const obj = verb.objects.length > 0 ? drawObject(rand, verb, tense, false) : null;
  const zh = zhClause(rand, subj, time, zhVerb(verb, tense, false, place) + (obj ? obj.zh : '') + '吗');
  const [aux, main] = enQuestionVerb(subj, verb, tense);
  return { zh, en: tail(aux, subj.en, main, obj, place, time), q: true };
}

const DO: Verb = { zh: '做', base: 'do', s3: 'does', past: 'did', ing: 'doing', objects: [] };
// Verbs whose English depends on the object cannot take 什么.
const WHAT_VERBS = VERBS.filter((v) => v.objects.length > 0 && v.zh !== '看' && v.zh !== '拍');

function whatQuestion(rand: Rand): Phrase & { q: boolean } {
  const subj = drawSubject(rand);
  const verb = rand() < 0.2 ? DO : pick(rand, WHAT_VERBS);
  const tense = drawTense(rand);
  const time = drawTime(rand, tense);
  const place = drawPlace(rand, tense);
  const zh = zhClause(rand, subj, time, zhVerb(verb, tense, false, place) + '什么');
  const [aux, main] = enQuestionVerb(subj, verb, tense);
  return { zh, en: tail('what', aux, subj.en, main, place, time), q: true };
}

function howManyQuestion(rand: Rand): Phrase & { q: boolean } {
  const subj = drawSubject(rand);
  const verb = pick(rand, VERBS.filter((v) => v.objects.length > 0));
  const tense = rand() < 0.5 ? 'past' : rand() < 0.5 ? 'habitual' : 'future';
  const time = drawTime(rand, tense);
  const place = drawPlace(rand, tense);
  const noun = NOUNS[pick(rand, verb.objects)]!;
  const what = noun.container ? `${noun.container[1]} of ${noun.en}` : noun.plural;
  const zh = zhClause(rand, subj, time, zhVerb(verb, tense, false, place) + `几${noun.measure}${noun.zh}`);
  const [aux, main] = enQuestionVerb(subj, verb, tense);
  return { zh, en: tail(`how many ${what}`, aux, subj.en, main, place, time), q: true };
}

function whereQuestion(rand: Rand): Phrase & { q: boolean } {
  const subj = drawSubject(rand);
  const verb = pick(rand, VERBS);
  const tense = rand() < 0.5 ? 'past' : rand() < 0.5 ? 'habitual' : 'future';
  const time = drawTime(rand, tense);
  const where: Phrase = { zh: '在哪里', en: '' };
  const obj = verb.objects.length > 0 ? drawObject(rand, verb, tense, false) : null;
  const zh = zhClause(rand, subj, time, zhVerb(verb, tense, false, where) + (obj ? obj.zh : ''));
  const [aux, main] = enQuestionVerb(subj, verb, tense);
  return { zh, en: tail('where', aux, subj.en, main, obj, time), q: true };
}

/** A thing as a subject: 这本书 / 我的车 / 红色的车 (a bare subject is definite: the red car). */
function thingSubject(rand: Rand, noun: Noun): Phrase & { subj: Subject } {
  const r = rand();
  let p: Phrase;
  let plural = false;
  if (r < 0.45) {
    p = demonstrativeNp(rand, noun);
    plural = /^(these|those) /.test(p.en);
  } else if (r < 0.75) {
    const [pzh, pen] = pick(rand, POSSESSIVES);
    p = noun.container ? { zh: pzh + noun.zh, en: `${pen} ${noun.en}` } : { zh: pzh + noun.zh, en: `${pen} ${noun.en}` };
  } else {
    const head = nounHead(noun, drawAttr(rand, noun, 0.5), false);
    p = { zh: head.zh, en: `the ${head.en}` };
  }
  return { ...p, subj: { zh: p.zh, en: p.en, person: 3, plural } };
}

const PERSON_ADJS = ['高', '累', '忙', '饿', '高兴'];

function adjectiveSentence(rand: Rand): Phrase & { q: boolean } {
  let subj: Subject;
  let adjKey: string;
  if (rand() < 0.35) {
    subj = drawSubject(rand);
    adjKey = pick(rand, PERSON_ADJS);
  } else {
    const noun = NOUNS[pick(rand, Object.keys(NOUNS).filter((k) => NOUNS[k]!.pred.length > 0))]!;
    subj = thingSubject(rand, noun).subj;
    adjKey = pick(rand, noun.pred);
  }
  const adj = ADJECTIVES[adjKey]!;
  const r = rand();
  if (r < 0.25) return { zh: `${subj.zh}${adj.zh}吗`, en: tail(be(subj), subj.en, adj.en), q: true };
  if (r < 0.6) return { zh: `${subj.zh}很${adj.zh}`, en: tail(subj.en, be(subj), 'very', adj.en), q: false };
  if (r < 0.8) return { zh: `${subj.zh}不${adj.zh}`, en: tail(subj.en, be(subj), 'not', adj.en), q: false };
  return { zh: `${subj.zh}太${adj.zh}了`, en: tail(subj.en, be(subj), 'too', adj.en), q: false };
}

const HAVE_NOUNS = ['书', '车', '自行车', '电脑', '伞', '笔', '猫', '狗', '鸟', '房子', '票', '衬衫', '苹果'];

function haveSentence(rand: Rand): Phrase & { q: boolean } {
  const subj = drawSubject(rand);
  const noun = NOUNS[pick(rand, HAVE_NOUNS)]!;
  const has = third(subj) ? 'has' : 'have';
  const r = rand();
  if (r < 0.2) {
    return { zh: `${subj.zh}有几${noun.measure}${noun.zh}`, en: tail(`how many ${noun.plural}`, doAux(subj), subj.en, 'have'), q: true };
  }
  if (r < 0.4) {
    const np = bareNp(rand, noun);
    return { zh: `${subj.zh}没有${np.zh}`, en: tail(subj.en, `${third(subj) ? "doesn't" : "don't"} have any`, np.en), q: false };
  }
  const np = countedNp(rand, noun, drawCount(rand));
  if (r < 0.55) return { zh: `${subj.zh}有${np.zh}吗`, en: tail(doAux(subj), subj.en, 'have', np.en), q: true };
  return { zh: `${subj.zh}有${np.zh}`, en: tail(subj.en, has, np.en), q: false };
}

function locationSentence(rand: Rand): Phrase & { q: boolean } {
  const subj = rand() < 0.6 ? drawSubject(rand) : thingSubject(rand, NOUNS[pick(rand, HAVE_NOUNS)]!).subj;
  const [pzh, pen] = pick(rand, PLACES);
  const r = rand();
  if (r < 0.3) return { zh: `${subj.zh}在哪里`, en: tail('where', be(subj), subj.en), q: true };
  if (r < 0.5) return { zh: `${subj.zh}在${pzh}吗`, en: tail(be(subj), subj.en, pen), q: true };
  if (r < 0.7) return { zh: `${subj.zh}不在${pzh}`, en: tail(subj.en, be(subj), 'not', pen), q: false };
  return { zh: `${subj.zh}在${pzh}`, en: tail(subj.en, be(subj), pen), q: false };
}

const KINDS: [number, (rand: Rand) => Phrase & { q: boolean }][] = [
  [4, actionStatement], [1.5, yesNoQuestion], [1, whatQuestion], [1, howManyQuestion],
  [0.7, whereQuestion], [1.5, adjectiveSentence], [1, haveSentence], [0.7, locationSentence],
];
const TOTAL_WEIGHT = KINDS.reduce((s, [w]) => s + w, 0);

/** Draw one sentence pair (any length). */
export function generateSentence(rand: Rand): SentencePair {
  let r = rand() * TOTAL_WEIGHT;
  let make = KINDS[KINDS.length - 1]![1];
  for (const [w, f] of KINDS) {
    if (r < w) {
      make = f;
      break;
    }
    r -= w;
  }
  const s = make(rand);
  return { zh: s.zh + (s.q ? '？' : '。'), en: capitalize(s.en) + (s.q ? '?' : '.') };
}

/**
 * Generate `n` Chinese–English pairs from a seeded grammar. Each Chinese sentence has exactly one
 * English translation, so a perfect model can reach BLEU 100. Sentences whose Chinese length
 * (character tokens, punctuation included) falls outside [minTokens, maxTokens] are redrawn.
 * The same Chinese sentence may occur more than once; `splitPairs` keeps duplicates together.
 */
export function generatePairs(options: GenerateOptions): SentencePair[] {
  const { n, seed, minTokens = 3, maxTokens = 25 } = options;
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new Error(`generatePairs: n must be an integer in [1, 1000000], got ${n}`);
  if (!Number.isInteger(minTokens) || !Number.isInteger(maxTokens) || minTokens < 1 || maxTokens < minTokens) {
    throw new Error(`generatePairs: need integers 1 <= minTokens <= maxTokens, got minTokens=${minTokens}, maxTokens=${maxTokens}`);
  }
  const rand = mulberry32(seed);
  const out: SentencePair[] = [];
  const maxAttempts = 10_000;
  while (out.length < n) {
    let attempts = 0;
    for (;;) {
      const p = generateSentence(rand);
      const len = tokenizeZhChars(p.zh).length;
      if (len >= minTokens && len <= maxTokens) {
        out.push(p);
        break;
      }
      if (++attempts >= maxAttempts) {
        throw new Error(`generatePairs: no sentence with ${minTokens}..${maxTokens} tokens in ${maxAttempts} draws`);
      }
    }
  }
  return out;
}
