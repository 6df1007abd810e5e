// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { XSS_PAYLOADS } from './xss-payloads.ts';
import { click, mountFake, settle, submit, type, type Mounted } from './dom.ts';

let ui: Mounted | undefined;
afterEach(() => {
  ui?.widget.unmount();
  ui = undefined;
});

function expectNoActiveContent(root: ShadowRoot): void {
  expect(root.querySelectorAll('img, script, svg:not(.icon), iframe, object, embed, style')).toHaveLength(0);
  for (const element of root.querySelectorAll('*')) {
    for (const attribute of element.getAttributeNames()) expect(attribute.startsWith('on')).toBe(false);
  }
  for (const link of root.querySelectorAll('a')) {
    expect(link.getAttribute('href')).toMatch(/^(https?|mailto|tel):/);
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
  }
  expect((globalThis as { __xss?: number }).__xss).toBeUndefined();
}

describe('text from flows, tools and visitors is text', () => {
  it.each(XSS_PAYLOADS)('%s in bot messages, quick replies, visitor messages, errors, notices and the title', async (payload) => {
    ui = await mountFake({ greeting: `Tool said: ${payload}`, choices: [payload] });
    ui.chat.update({ flow: { id: 'x', version: '1', name: payload } });
    await click(ui.named('Open chat'));
    const input = ui.named<HTMLInputElement>('Message');
    await type(input, payload);
    await submit(input);
    await settle(() => ui!.chat.fail({ code: 'x', message: payload, retryable: true }));
    await settle(() => ui!.chat.update({ messages: [...ui!.chat.getState().messages, { id: 'n', role: 'notice', text: payload, at: 0 }] }));
    await settle(() => ui!.chat.reply(payload, [payload]));

    expectNoActiveContent(ui.root);
    const text = ui.text();
    expect(text).toContain(payload.includes('](') ? 'click me' : payload.replace(/\*\*/g, ''));
    expect(ui.all('.message.user .bubble')[0]?.textContent).toBe(payload);
    expect(ui.all('.chip')[0]?.textContent).toBe(payload);
  });

  it('renders safe markdown links in bot messages as new-tab links with rel="noopener noreferrer"', async () => {
    ui = await mountFake({ greeting: 'See **our menu** at [the site](https://bistro.example/menu) or [call us](tel:+15551234)' });
    await click(ui.named('Open chat'));
    const links = ui.all('a');
    expect(links.map((link) => [link.textContent, link.getAttribute('href'), link.getAttribute('rel'), link.getAttribute('target')])).toEqual([
      ['the site', 'https://bistro.example/menu', 'noopener noreferrer', '_blank'],
      ['call us', 'tel:+15551234', 'noopener noreferrer', '_blank'],
    ]);
    expect(ui.root.querySelector('strong')?.textContent).toBe('our menu');
  });

  it('does not read markdown in visitor messages', async () => {
    ui = await mountFake();
    await click(ui.named('Open chat'));
    const input = ui.named<HTMLInputElement>('Message');
    await type(input, '**hi** [x](https://example.com)');
    await submit(input);
    expect(ui.root.querySelector('.message.user strong, .message.user a')).toBeNull();
  });
});
