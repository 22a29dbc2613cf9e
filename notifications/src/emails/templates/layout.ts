/** A rendered email: what the sender hands to SMTP. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** What a template describes: the subject, the lines of the body, an optional button, the text part. */
export interface EmailContent {
  subject: string;
  /** Opening line, bold. */
  heading: string;
  /** Paragraphs of the HTML body, plain text (escaped here). */
  paragraphs: string[];
  /** Label/value rows shown as a small table, e.g. Ticket / Price. */
  facts?: [label: string, value: string][];
  action?: { label: string; url: string };
  /** The plain-text part, written for reading in a terminal. */
  text: string;
}

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML (and MJML) content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => escapes[c] ?? c);
}

/** The places a value goes in a layout, by name: `t` title, `h` heading, `p3` a paragraph, `fl0`/`fv0` a fact, `al`/`au` the action. */
type Slot = string;

/** A layout's shape: how many paragraphs and facts, and whether it has a button. */
export interface Shape {
  paragraphs: number;
  facts: number;
  action: boolean;
}

/** A slot's mark in the MJML: letters and digits only, which MJML carries through untouched. */
export const mark = (slot: Slot) => `glotixzslot${slot}x`;
const markPattern = /glotixzslot([a-z]+\d*)x/g;

/** The MJML of a layout shape, with a {@link mark} where each value goes. */
export function mjmlOf(shape: Shape): string {
  const paragraphs = Array.from(
    { length: shape.paragraphs },
    (_, i) => `<mj-text>${mark(`p${i}`)}</mj-text>`,
  ).join('\n');
  const facts = shape.facts
    ? `<mj-table>${Array.from(
        { length: shape.facts },
        (_, i) =>
          `<tr><td style="padding:4px 12px 4px 0;color:#6b7280">${mark(`fl${i}`)}</td><td style="padding:4px 0">${mark(`fv${i}`)}</td></tr>`,
      ).join('')}</mj-table>`
    : '';
  const action = shape.action
    ? `<mj-button href="${mark('au')}" background-color="#4338ca" border-radius="6px">${mark('al')}</mj-button>`
    : '';
  return `<mjml>
  <mj-head>
    <mj-title>${mark('t')}</mj-title>
    <mj-attributes>
      <mj-all font-family="Helvetica, Arial, sans-serif" />
      <mj-text font-size="15px" line-height="1.5" color="#111827" />
    </mj-attributes>
  </mj-head>
  <mj-body background-color="#f3f4f6">
    <mj-section padding="24px 0 8px"><mj-column>
      <mj-text font-size="20px" font-weight="700" color="#4338ca">Glotixz</mj-text>
    </mj-column></mj-section>
    <mj-section background-color="#ffffff" border-radius="8px" padding="16px"><mj-column>
      <mj-text font-size="18px" font-weight="700">${mark('h')}</mj-text>
      ${paragraphs}
      ${facts}
      ${action}
    </mj-column></mj-section>
    <mj-section><mj-column>
      <mj-text font-size="12px" color="#6b7280">You receive this email because of your Glotixz account.</mj-text>
    </mj-column></mj-section>
  </mj-body>
</mjml>`;
}

/** The HTML of a shape, cut at its slots: text, slot, text, slot, …, text. */
type CompiledLayout = { texts: string[]; slots: Slot[] };

/**
 * Compiling MJML costs milliseconds, more than everything else an email costs: each shape is
 * compiled once, with marks where the values go, and an email fills them in, escaped.
 */
const compiled = new Map<string, Promise<CompiledLayout>>();

async function compile(shape: Shape): Promise<CompiledLayout> {
  // Loaded with the first email, not at start: MJML and what it pulls in (juice, cheerio, …) are
  // some 15 MB of heap the service would hold idle.
  const { default: mjml2html } = await import('mjml');
  const { html, errors } = await mjml2html(mjmlOf(shape), { validationLevel: 'strict' });
  if (errors.length > 0)
    throw new Error(`email template invalid: ${errors.map((e) => e.formattedMessage).join('; ')}`);
  const parts = html.split(markPattern);
  return {
    texts: parts.filter((_, i) => i % 2 === 0),
    slots: parts.filter((_, i) => i % 2 === 1),
  };
}

function layoutOf(shape: Shape): Promise<CompiledLayout> {
  const key = `${shape.paragraphs}/${shape.facts}/${shape.action}`;
  let layout = compiled.get(key);
  if (!layout) {
    layout = compile(shape);
    // A failed compilation is not kept: the next email tries again.
    layout.catch(() => compiled.delete(key));
    compiled.set(key, layout);
  }
  return layout;
}

function valuesOf(content: EmailContent): Record<Slot, string> {
  const values: Record<Slot, string> = { t: content.subject, h: content.heading };
  content.paragraphs.forEach((p, i) => (values[`p${i}`] = p));
  content.facts?.forEach(([label, value], i) => {
    values[`fl${i}`] = label;
    values[`fv${i}`] = value;
  });
  if (content.action) {
    values.al = content.action.label;
    values.au = content.action.url;
  }
  return values;
}

/** Renders a template's content to responsive HTML (MJML) beside its plain-text part. */
export async function renderEmail(content: EmailContent): Promise<RenderedEmail> {
  const shape = {
    paragraphs: content.paragraphs.length,
    facts: content.facts?.length ?? 0,
    action: content.action !== undefined,
  };
  const { texts, slots } = await layoutOf(shape);
  const values = valuesOf(content);
  const html = texts.reduce((out, text, i) => {
    const slot = slots[i];
    return out + text + (slot === undefined ? '' : escapeHtml(values[slot] ?? ''));
  }, '');
  return { subject: content.subject, html, text: content.text };
}
