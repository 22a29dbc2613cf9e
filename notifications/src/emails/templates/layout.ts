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

function mjmlOf(content: EmailContent): string {
  const paragraphs = content.paragraphs.map((p) => `<mj-text>${escapeHtml(p)}</mj-text>`).join('\n');
  const facts = content.facts?.length
    ? `<mj-table>${content.facts
        .map(
          ([label, value]) =>
            `<tr><td style="padding:4px 12px 4px 0;color:#6b7280">${escapeHtml(label)}</td><td style="padding:4px 0">${escapeHtml(value)}</td></tr>`,
        )
        .join('')}</mj-table>`
    : '';
  const action = content.action
    ? `<mj-button href="${escapeHtml(content.action.url)}" background-color="#4338ca" border-radius="6px">${escapeHtml(content.action.label)}</mj-button>`
    : '';
  return `<mjml>
  <mj-head>
    <mj-title>${escapeHtml(content.subject)}</mj-title>
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
      <mj-text font-size="18px" font-weight="700">${escapeHtml(content.heading)}</mj-text>
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

/** Renders a template's content to responsive HTML (MJML) beside its plain-text part. */
export async function renderEmail(content: EmailContent): Promise<RenderedEmail> {
  // Loaded with the first email, not at start: MJML and what it pulls in (juice, cheerio, …) are
  // some 15 MB of heap the service would hold idle.
  const { default: mjml2html } = await import('mjml');
  const { html, errors } = await mjml2html(mjmlOf(content), { validationLevel: 'strict' });
  if (errors.length > 0)
    throw new Error(`email template invalid: ${errors.map((e) => e.formattedMessage).join('; ')}`);
  return { subject: content.subject, html, text: content.text };
}
