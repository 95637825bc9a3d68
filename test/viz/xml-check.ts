/** A small strict XML parser for tests: balanced tags, quoted attributes, valid entities, one root. */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Text directly inside this element, entities decoded. */
  text: string;
}

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string, where: string): string {
  return s.replace(/&([^;&\s]*);?/g, (m, name: string) => {
    if (!m.endsWith(';')) throw new Error(`bare & in ${where}: ${JSON.stringify(s.slice(0, 60))}`);
    if (name in ENTITY) return ENTITY[name]!;
    const num = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(name);
    if (num) return String.fromCodePoint(num[1]!.startsWith('x') ? parseInt(num[1]!.slice(1), 16) : parseInt(num[1]!, 10));
    throw new Error(`unknown entity &${name}; in ${where}`);
  });
}

/** Parse `xml`, throwing on any well-formedness error; returns the root element. */
export function parseXml(xml: string): XmlElement {
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(xml)) throw new Error('control character in XML');
  const token = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<\/([A-Za-z][\w:.-]*)\s*>|<([A-Za-z][\w:.-]*)((?:\s+[A-Za-z_:][\w:.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>|([^<]+)|(<)/g;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let m: RegExpExecArray | null;
  while ((m = token.exec(xml)) !== null) {
    const [, close, open, attrText, selfClose, text, stray] = m;
    if (stray) throw new Error(`malformed tag at offset ${m.index}: ${JSON.stringify(xml.slice(m.index, m.index + 60))}`);
    if (text !== undefined) {
      if (stack.length === 0) {
        if (text.trim()) throw new Error(`text outside the root element: ${JSON.stringify(text.slice(0, 40))}`);
      } else stack[stack.length - 1]!.text += decode(text, 'text');
      continue;
    }
    if (close) {
      const top = stack.pop();
      if (!top || top.name !== close) throw new Error(`</${close}> closes <${top?.name ?? 'nothing'}>`);
      continue;
    }
    if (!open) continue; // comment or processing instruction
    const attrs: Record<string, string> = {};
    for (const a of (attrText ?? '').matchAll(/([A-Za-z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      if (a[1]! in attrs) throw new Error(`duplicate attribute ${a[1]} on <${open}>`);
      attrs[a[1]!] = decode(a[2] ?? a[3] ?? '', `attribute ${a[1]}`);
    }
    const el: XmlElement = { name: open, attrs, children: [], text: '' };
    if (stack.length) stack[stack.length - 1]!.children.push(el);
    else if (root) throw new Error('more than one root element');
    else root = el;
    if (!selfClose) stack.push(el);
  }
  if (stack.length) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

/** All elements under `root` (inclusive) matching `pred`, in document order. */
export function findAll(root: XmlElement, pred: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    if (pred(e)) out.push(e);
    e.children.forEach(walk);
  };
  walk(root);
  return out;
}

/** Elements whose class attribute contains `cls`. */
export function byClass(root: XmlElement, cls: string): XmlElement[] {
  return findAll(root, (e) => (e.attrs['class'] ?? '').split(/\s+/).includes(cls));
}

/** Decoded text of every `<text>` element. */
export function texts(root: XmlElement): string[] {
  return findAll(root, (e) => e.name === 'text').map((e) => e.text);
}
