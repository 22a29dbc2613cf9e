import mjml2html from 'mjml';
import { escapeHtml, mark, mjmlOf, renderEmail, type EmailContent } from './layout';
import { orderExpired, passwordReset, receipt, reservationHeld } from './templates';

const links = { publicUrl: 'https://glotixz.test' };

describe('email templates', () => {
  it('escapes what sellers typed in the HTML part and keeps it as typed in the text part', async () => {
    const title = '<script>alert("x")</script> & Friends';
    const email = await renderEmail(
      reservationHeld(links, {
        id: '7b0d1c4e-8a43-4b5e-9f1c-2d1e0f3a4b5c',
        expiresAt: '2027-01-05T10:15:00.000Z',
        title,
        price: 1500,
        currency: 'jpy',
      }),
    );
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Friends');
    expect(email.text).toContain(title);
    expect(email.text).toContain('Price: ¥1,500');
  });

  it('writes the start of an event in its venue’s time zone', () => {
    const content = receipt(links, {
      id: '7b0d1c4e-8a43-4b5e-9f1c-2d1e0f3a4b5c',
      title: 'Arctic Lights',
      eventName: 'Arctic Lights',
      startsAt: '2027-07-14T18:30:00.000Z',
      timezone: 'Europe/Berlin',
      hasETicket: true,
    });
    expect(content.text).toContain('When: Wednesday, 14 July 2027 at 20:30 CEST');
  });

  it('puts the reset token in the link URL-encoded', () => {
    const content = passwordReset(links, { token: 'ab+c/d=', expiresAt: '2027-01-05T10:15:00.000Z' });
    expect(content.action?.url).toBe('https://glotixz.test/reset-password?token=ab%2Bc%2Fd%3D');
    expect(content.text).toContain('until Tuesday, 5 January 2027 at 10:15 UTC');
  });

  it('fills a layout compiled once exactly as MJML renders the email itself', async () => {
    const contents: EmailContent[] = [
      reservationHeld(links, {
        id: '7b0d1c4e-8a43-4b5e-9f1c-2d1e0f3a4b5c',
        expiresAt: '2027-01-05T10:15:00.000Z',
        title: 'Ünïcode & <b>bold</b> "quotes"',
        price: 2500,
        currency: 'usd',
      }),
      passwordReset(links, { token: 'ab+c/d=', expiresAt: '2027-01-05T10:15:00.000Z' }),
      orderExpired(links, { title: 'Arctic Lights' }),
    ];
    for (const content of contents) {
      const shape = {
        paragraphs: content.paragraphs.length,
        facts: content.facts?.length ?? 0,
        action: content.action !== undefined,
      };
      const values: [string, string][] = [
        ['t', content.subject],
        ['h', content.heading],
        ...content.paragraphs.map((p, i): [string, string] => [`p${i}`, p]),
        ...(content.facts ?? []).flatMap(([label, value], i): [string, string][] => [
          [`fl${i}`, label],
          [`fv${i}`, value],
        ]),
        ...(content.action
          ? ([
              ['al', content.action.label],
              ['au', content.action.url],
            ] as [string, string][])
          : []),
      ];
      const direct = values.reduce(
        (mjml, [slot, value]) => mjml.replace(mark(slot), escapeHtml(value)),
        mjmlOf(shape),
      );
      const { html } = await mjml2html(direct, { validationLevel: 'strict' });
      expect((await renderEmail(content)).html).toBe(html);
    }
  });
});
