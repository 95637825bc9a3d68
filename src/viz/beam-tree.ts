/**
 * Beam-search trees as SVG, left to right by step, the final best path highlighted. The default
 * 'beam' layout is compact: each step is one column holding the hypotheses the beam kept, best on
 * top, so the picture is at most beam-size rows tall whatever the sentence length; pruned
 * candidates (drawn faded below the kept ones) are shown only on request. The 'tree' layout gives
 * every leaf its own row so that no edges cross, which grows with every pruned candidate.
 */
import { escapeXml, fmt, svgOpen, svgText, textWidth, truncate } from './svg.js';

/** One hypothesis prefix in a beam search. */
export interface BeamNode {
  id: string | number;
  /** Id of the prefix this extends; null for the root (usually the start token). */
  parent: string | number | null;
  token: string;
  /** Cumulative log-probability of the prefix ending here. */
  score: number;
  step: number;
  /** The hypothesis ended here (end-of-sequence or length limit). */
  finished?: boolean;
  /** Survived pruning into the next beam; false draws it faded. Default true. */
  kept?: boolean;
  /** Lies on the returned best hypothesis. */
  inFinal?: boolean;
}

/** Options for {@link beamTreeSvg}. */
export interface BeamTreeOptions {
  title?: string;
  /** Longest token shown, in display columns. Default 14. */
  maxTokenColumns?: number;
  /** Digits after the decimal point in scores. Default 2. */
  scoreDigits?: number;
  fontSize?: number;
  /** 'beam' (default): one column per step, kept hypotheses ranked by score; 'tree': one row per leaf, no crossing edges. */
  layout?: 'beam' | 'tree';
  /** Draw the candidates that beam search pruned (kept === false), faded. Default false. */
  pruned?: boolean;
}

/** Node position in layout units: column index and row (rows may be fractional). */
interface Placed {
  node: BeamNode;
  col: number;
  row: number;
}

const BEST = '#d62728';

/** Check ids and parent links; returns children lists keyed by parent id (roots under `null`). */
function index(nodes: readonly BeamNode[]): Map<string | number | null, BeamNode[]> {
  const byId = new Map<string | number, BeamNode>();
  for (const n of nodes) {
    if (byId.has(n.id)) throw new Error(`beamTreeSvg: duplicate node id ${JSON.stringify(n.id)}`);
    if (!Number.isFinite(n.step)) throw new Error(`beamTreeSvg: node ${JSON.stringify(n.id)} has step ${n.step}`);
    byId.set(n.id, n);
  }
  const children = new Map<string | number | null, BeamNode[]>();
  for (const n of nodes) {
    if (n.parent !== null) {
      const p = byId.get(n.parent);
      if (!p) throw new Error(`beamTreeSvg: node ${JSON.stringify(n.id)} has unknown parent ${JSON.stringify(n.parent)}`);
      // Steps strictly increase along every edge, which also rules out cycles.
      if (!(p.step < n.step)) {
        throw new Error(`beamTreeSvg: node ${JSON.stringify(n.id)} at step ${n.step} is not after its parent ${JSON.stringify(p.id)} at step ${p.step}`);
      }
    }
    const list = children.get(n.parent) ?? [];
    list.push(n);
    children.set(n.parent, list);
  }
  // Best first, so the strongest continuation sits at the top of each subtree.
  for (const list of children.values()) list.sort((a, b) => b.score - a.score || String(a.id).localeCompare(String(b.id)));
  return children;
}

/** Lay out a forest: leaves take consecutive rows in depth-first order, parents sit centred on their children, so no edges cross. */
function layout(nodes: readonly BeamNode[]): Placed[] {
  const children = index(nodes);
  const steps = [...new Set(nodes.map((n) => n.step))].sort((a, b) => a - b);
  const colOf = new Map(steps.map((s, i) => [s, i]));
  const placed: Placed[] = [];
  let nextRow = 0;
  const visit = (n: BeamNode): number => {
    const kids = children.get(n.id) ?? [];
    let row: number;
    if (kids.length === 0) row = nextRow++;
    else {
      const rows = kids.map(visit);
      row = (rows[0]! + rows[rows.length - 1]!) / 2;
    }
    placed.push({ node: n, col: colOf.get(n.step)!, row });
    return row;
  };
  for (const root of children.get(null) ?? []) visit(root);
  return placed;
}

/** One column per step: kept hypotheses by score (best on top), then pruned ones. */
function beamLayout(nodes: readonly BeamNode[]): Placed[] {
  index(nodes);
  const steps = [...new Set(nodes.map((n) => n.step))].sort((a, b) => a - b);
  return steps.flatMap((step, col) => nodes
    .filter((n) => n.step === step)
    .sort((a, b) => Number(a.kept === false) - Number(b.kept === false) || b.score - a.score || String(a.id).localeCompare(String(b.id)))
    .map((node, row) => ({ node, col, row })));
}

/** The nodes drawn: without pruned candidates (and anything below them) unless asked for. */
function shownNodes(nodes: readonly BeamNode[], pruned: boolean): readonly BeamNode[] {
  if (pruned) return nodes;
  const hidden = new Set<string | number>();
  // Parents come before children in step order, so one pass in step order hides whole branches.
  for (const n of [...nodes].sort((a, b) => a.step - b.step)) {
    if ((n.kept === false && !n.inFinal) || (n.parent !== null && hidden.has(n.parent))) hidden.add(n.id);
  }
  return nodes.filter((n) => !hidden.has(n.id));
}

/** Render a beam-search tree given as a flat list of nodes with parent links. */
export function beamTreeSvg(allNodes: readonly BeamNode[], options: BeamTreeOptions = {}): string {
  if (allNodes.length === 0) throw new Error('beamTreeSvg: no nodes given');
  const fontSize = options.fontSize ?? 12;
  const digits = options.scoreDigits ?? 2;
  const maxCols = options.maxTokenColumns ?? 14;
  index(allNodes);
  const showPruned = options.pruned ?? false;
  const nodes = shownNodes(allNodes, showPruned);
  const placed = (options.layout ?? 'beam') === 'tree' ? layout(nodes) : beamLayout(nodes);
  const label = (n: BeamNode): string => truncate(n.token, maxCols);
  const scoreText = (n: BeamNode): string => n.score.toFixed(digits);

  const nodeW = Math.max(44, ...placed.map((p) => Math.max(textWidth(label(p.node), fontSize), textWidth(scoreText(p.node), fontSize - 2)) + 14));
  const nodeH = fontSize * 2 + 10;
  const colGap = 36;
  const rowH = nodeH + 8;
  const margin = 14;
  const titleH = options.title ? fontSize * 2 + 4 : 0;
  const headerH = fontSize + 10;
  const legendH = fontSize + 16;
  const nCols = Math.max(...placed.map((p) => p.col)) + 1;
  const nRows = Math.max(...placed.map((p) => p.row)) + 1;
  const width = Math.ceil(Math.max(2 * margin + nCols * nodeW + (nCols - 1) * colGap, 360));
  const top = margin + titleH + headerH;
  const height = Math.ceil(top + nRows * rowH + legendH + margin);
  const cx = (col: number): number => margin + col * (nodeW + colGap);
  const cy = (row: number): number => top + row * rowH + rowH / 2;
  const pos = new Map(placed.map((p) => [p.node.id, p]));

  const out: string[] = [svgOpen(width, height, fontSize)];
  if (options.title) out.push(svgText(width / 2, margin + fontSize + 2, options.title, `text-anchor="middle" font-size="${fontSize + 3}" font-weight="bold"`));
  const steps = [...new Set(nodes.map((n) => n.step))].sort((a, b) => a - b);
  out.push('<g class="steps">');
  steps.forEach((s, i) => out.push(svgText(cx(i) + nodeW / 2, margin + titleH + fontSize, `t=${s}`, 'text-anchor="middle" fill="#666666"')));
  out.push('</g>', '<g class="edges">');
  // Faded edges first so highlighted ones are drawn on top.
  const edges = placed.filter((p) => p.node.parent !== null)
    .sort((a, b) => Number(!!a.node.inFinal) - Number(!!b.node.inFinal));
  for (const p of edges) {
    const q = pos.get(p.node.parent!)!;
    const x1 = cx(q.col) + nodeW;
    const y1 = cy(q.row);
    const x2 = cx(p.col);
    const y2 = cy(p.row);
    const mx = (x1 + x2) / 2;
    const best = p.node.inFinal && q.node.inFinal;
    const faded = p.node.kept === false;
    out.push(
      `<path class="edge${best ? ' best' : ''}" d="M${fmt(x1)},${fmt(y1)} C${fmt(mx)},${fmt(y1)} ${fmt(mx)},${fmt(y2)} ${fmt(x2)},${fmt(y2)}" fill="none" ` +
        `stroke="${best ? BEST : '#8a8a8a'}" stroke-width="${best ? 2.5 : 1.2}"${faded ? ' opacity="0.3"' : ''}/>`,
    );
  }
  out.push('</g>', '<g class="nodes">');
  for (const p of placed) {
    const n = p.node;
    const x = cx(p.col);
    const y = cy(p.row) - nodeH / 2;
    const classes = ['node', n.kept === false ? 'pruned' : '', n.finished ? 'finished' : '', n.inFinal ? 'best' : ''].filter(Boolean).join(' ');
    const stroke = n.inFinal ? BEST : n.finished ? '#2e7d32' : '#607d8b';
    const fill = n.finished ? '#e8f5e9' : n.inFinal ? '#fdecea' : '#f5f7fa';
    const tip = `${n.token} (step ${n.step}, log p = ${n.score})${n.finished ? ', finished' : ''}${n.kept === false ? ', pruned' : ''}`;
    out.push(
      `<g class="${classes}" data-id="${escapeXml(String(n.id))}"${n.kept === false ? ' opacity="0.35"' : ''}>` +
        `<title>${escapeXml(tip)}</title>` +
        `<rect x="${fmt(x)}" y="${fmt(y)}" width="${fmt(nodeW)}" height="${fmt(nodeH)}" rx="5" fill="${fill}" stroke="${stroke}" stroke-width="${n.inFinal || n.finished ? 2 : 1}"/>` +
        svgText(x + nodeW / 2, y + fontSize + 3, label(n), `text-anchor="middle"${n.inFinal ? ' font-weight="bold"' : ''}`) +
        svgText(x + nodeW / 2, y + 2 * fontSize + 4, scoreText(n), `text-anchor="middle" font-size="${fontSize - 2}" fill="#555555"`) +
        '</g>',
    );
  }
  out.push('</g>', beamLegend(margin, height - margin - 4, fontSize, showPruned && nodes.some((n) => n.kept === false)));
  out.push('</svg>\n');
  return out.join('\n');
}

/** Key to the node styles along the bottom edge. */
function beamLegend(x: number, y: number, fontSize: number, pruned: boolean): string {
  const items: Array<[string, string, string, string]> = [
    ['best path', '#fdecea', BEST, '1'],
    ['finished', '#e8f5e9', '#2e7d32', '1'],
    ...(pruned ? [['pruned', '#f5f7fa', '#607d8b', '0.35'] as [string, string, string, string]] : []),
  ];
  const out = ['<g class="legend">'];
  let cx = x;
  for (const [name, fill, stroke, opacity] of items) {
    out.push(`<rect x="${fmt(cx)}" y="${fmt(y - fontSize + 1)}" width="14" height="${fontSize}" rx="3" fill="${fill}" stroke="${stroke}" stroke-width="1.5" opacity="${opacity}"/>`);
    out.push(svgText(cx + 19, y, name, `font-size="${fontSize - 1}" fill="#444444"`));
    cx += 19 + textWidth(name, fontSize - 1) + 18;
  }
  out.push('</g>');
  return out.join('\n');
}
