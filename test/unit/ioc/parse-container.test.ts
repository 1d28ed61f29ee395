import { containerName, parseContainerText } from '../../../src/ioc/parse-container.js';

describe('parseContainerText', () => {
  it.each([
    ['evil.com\nbad.org\n', ['evil.com', 'bad.org']],
    ['# domains\n\n  evil.com  \r\nbad.org # seen 2024-01\n', ['evil.com', 'bad.org']],
    ['a\na\nb\n', ['a', 'b']],
    ['http://x/#frag\n', ['http://x/#frag']],
    ['', []],
    ['#only\n   \n', []],
  ])('%j -> %j', (text, values) => {
    expect(parseContainerText(text)).toEqual(values);
  });
});

describe('containerName', () => {
  it.each([
    ['blacklist.txt', 'blacklist'],
    ['iocs/blacklist.txt', 'blacklist'],
    ['misp', 'misp'],
    ['domains.v2.list', 'domains.v2'],
    ['.hidden', '.hidden'],
  ])('%s -> %s', (file, name) => {
    expect(containerName(file)).toBe(name);
  });
});
