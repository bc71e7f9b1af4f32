import { iconPriority, IconLinkCollector } from './icon-links';

function candidatesOf(html: string, page = 'https://example.com/login/'): string[] {
  const collector = new IconLinkCollector(new URL(page));
  collector.write(html);
  collector.end();
  return collector.candidates().map((c) => c.href);
}

describe('iconPriority', () => {
  it.each([
    ['32x32', 'a.ico', 1], ['64x64', 'a.ico', 2], ['24x24', 'a', 3], ['180x180', 'a.png', 3], ['192x192', 'a', 3],
    ['16x16', 'a.png', 4], ['512x512', 'a.png', 5], ['12x12', 'a.png', 5], ['32X32', 'a', 1], [' 64x64 128x128', 'a', 2],
    ['32x16', 'a.png', 200],
  ])('sizes %j → %i', (sizes, file, expected) => {
    expect(iconPriority(`https://example.com/${file}`, sizes)).toBe(expected);
  });

  it.each([
    ['https://example.com/i.png', 10], ['https://example.com/i.PNG?v=3', 10], ['https://example.com/i.svg', 15],
    ['https://example.com/i.jpg', 20], ['https://example.com/i.jpeg', 20], ['https://example.com/favicon.ico', 30],
    ['https://example.com/icon', 30], ['https://example.com/i.gif', 30],
  ])('without sizes, %s → %i', (href, expected) => {
    expect(iconPriority(href, '')).toBe(expected);
    expect(iconPriority(href, 'any')).toBe(expected);
  });
});

describe('IconLinkCollector', () => {
  it('ranks the links: sized squares near 32 first, then png/svg/jpg, ico, the defaults, non-square last', () => {
    const html = `<!doctype html><html><head>
      <link rel="icon" href="/favicon-wide.png" sizes="64x32">
      <link rel="shortcut icon" href="/static/favicon.ico">
      <link rel="apple-touch-icon" href="/touch-180.png" sizes="180x180">
      <link rel="mask-icon" href="/mask.svg" color="#000">
      <link rel="stylesheet" href="/style.css">
      <link rel="icon" type="image/svg+xml" href="vector.svg">
      <LINK REL="ICON" HREF="/icon-32.png" SIZES="32x32">
      <link rel="fluid-icon" href="https://cdn.example.net/fluid.png">
      <link rel="icon" href="/icon-16.png" sizes="16x16">
    </head><body><link rel="icon" href="/in-body.png"></body></html>`;
    expect(candidatesOf(html)).toEqual([
      'https://example.com/icon-32.png',
      'https://example.com/touch-180.png',
      'https://example.com/icon-16.png',
      'https://cdn.example.net/fluid.png',
      'https://example.com/login/vector.svg',
      'https://example.com/static/favicon.ico',
      'https://example.com/favicon.ico',
      'https://example.com/apple-touch-icon.png',
      'https://example.com/favicon-wide.png',
    ]);
  });

  it('resolves links against the first <base href>', () => {
    const html = '<head><base href="https://static.example.org/assets/"><base href="/ignored/"><link rel=icon href="i.png"></head>';
    expect(candidatesOf(html)[0]).toBe('https://static.example.org/assets/i.png');
  });

  it('a page without links still offers /favicon.ico first, of the page it came from', () => {
    expect(candidatesOf('<html><head><title>x</title></head><body>hi</body></html>', 'http://127.0.0.2/home')).toEqual([
      'http://127.0.0.2/favicon.ico', 'http://127.0.0.2/apple-touch-icon.png',
    ]);
  });

  it('stops at the end of <head> and ignores input after it', () => {
    const collector = new IconLinkCollector(new URL('https://example.com/'));
    collector.write('<head><link rel="icon" href="/a.png"></he');
    expect(collector.done).toBe(false);
    collector.write('ad><link rel="icon" href="/b.png">');
    expect(collector.done).toBe(true);
    collector.write('<link rel="icon" href="/c.png">');
    expect(collector.candidates().map((c) => c.href)).toEqual(['https://example.com/a.png', 'https://example.com/favicon.ico', 'https://example.com/apple-touch-icon.png']);
  });

  it('never throws on broken markup, entities or scripts', () => {
    const html = '<head><script>document.write("<link rel=icon href=/fake.png>")</script><link rel="icon" href="/a&amp;b.png"><link rel=icon href=\'<<\'><link rel=icon href="http://[bad">';
    const links = candidatesOf(`${html}\u0000\uFFFF<<<>>>`);
    expect(links).toContain('https://example.com/a&b.png');
    expect(links).not.toContain('https://example.com/fake.png');
  });

  it('keeps at most 100 links of a hostile page', () => {
    const html = `<head>${'<link rel="icon" href="/x.png">'.repeat(10_000)}</head>`;
    expect(candidatesOf(html)).toHaveLength(102);
  });
});
