import { parseSysmonUtcTime, parseTime } from '../../../src/events/event-time.js';

describe('parseSysmonUtcTime', () => {
  it.each<[string, number | undefined]>([
    ['2020-10-22 05:54:21.520', Date.UTC(2020, 9, 22, 5, 54, 21, 520)],
    ['2020-10-22 05:54:21.5', Date.UTC(2020, 9, 22, 5, 54, 21, 500)],
    ['2020-10-22 05:54:21', Date.UTC(2020, 9, 22, 5, 54, 21)],
    ['2020-10-22T05:54:21.520', Date.UTC(2020, 9, 22, 5, 54, 21, 520)],
    ['2020-13-22 05:54:21.520', undefined],
    ['2020-10-22 05:54', undefined],
    ['2020/10/22 05:54:21.520', undefined],
    ['2020-10-22 05:54:21,520', undefined],
    ['yesterday at noon, UTC', undefined],
    ['1970-01-01 00:00:00.000', undefined],
  ])('%j -> %j', (text, expected) => {
    expect(parseSysmonUtcTime(text)).toBe(expected);
  });
});

describe('parseTime', () => {
  it.each<[unknown, number | undefined]>([
    ['2018-06-18T05:22:54.811930700Z', Date.UTC(2018, 5, 18, 5, 22, 54, 811)],
    ['2020-10-22T05:54:21.5304000Z', Date.UTC(2020, 9, 22, 5, 54, 21, 530)],
    ['2021-03-29 13:21:07 +0900', Date.UTC(2021, 2, 29, 4, 21, 7)],
    ['2020-10-22T07:54:21+02:00', Date.UTC(2020, 9, 22, 5, 54, 21)],
    ['2019-12-04 20:49:48', Date.UTC(2019, 11, 4, 20, 49, 48)],
    [1603346061, 1603346061000],
    [1603346061520, 1603346061520],
    ['not a time', undefined],
    ['', undefined],
    [null, undefined],
    [{ SystemTime: 'x' }, undefined],
    ['2200-01-01T00:00:00Z', undefined],
  ])('%j -> %j', (value, expected) => {
    expect(parseTime(value)).toBe(expected);
  });
});
