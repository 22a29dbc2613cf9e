import type { CSSProperties } from 'react';
import { initialsOf } from '@/lib/text';

/** Gradients dark enough for white text (WCAG AA for large text at both ends). */
const PALETTE: readonly (readonly [string, string])[] = [
  ['#4338ca', '#7c3aed'],
  ['#be185d', '#e11d48'],
  ['#0f766e', '#0e7490'],
  ['#b45309', '#c2410c'],
  ['#1d4ed8', '#0369a1'],
  ['#6d28d9', '#be185d'],
  ['#15803d', '#0f766e'],
  ['#9a3412', '#b91c1c'],
  ['#334155', '#4f46e5'],
  ['#a21caf', '#6d28d9'],
];

/** A stable gradient for an id, so a ticket keeps its colours everywhere. */
export function colorsOf(id: string): CSSProperties {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) >>> 0;
  const [from, to] = PALETTE[hash % PALETTE.length] ?? ['#4338ca', '#7c3aed'];
  return { '--from': from, '--to': to } as CSSProperties;
}

/** The coloured stub of a ticket. */
export function TicketArt({ id, title, large = false }: { id: string; title: string; large?: boolean }) {
  return (
    <div
      className={large ? 'ticket-art ticket-art-lg' : 'ticket-art'}
      style={colorsOf(id)}
      aria-hidden="true"
    >
      <span className="ticket-initials">{initialsOf(title)}</span>
      <span className="ticket-admit">Admit one</span>
    </div>
  );
}

/** A small square of the same colours, for lists. */
export function TicketSwatch({ id, title }: { id: string; title: string }) {
  return (
    <span className="swatch" style={colorsOf(id)} aria-hidden="true">
      {initialsOf(title)}
    </span>
  );
}
