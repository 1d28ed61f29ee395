import { parseXmlEvents } from '../../../../src/events/decode/xml-events.js';
import { xml } from '../../../../src/events/formats/xml.js';
import { expectedSysmon3, sysmon3Values, sysmon3Xml } from '../factories.js';

function parsedEvent(text: string): Record<string, unknown> {
  const events = parseXmlEvents(text);
  if (!events.ok) throw new Error(events.error);
  return { Event: events.value[0] };
}

describe('xml', () => {
  it('normalises a rendered Sysmon 3 <Event>, with EventRecordID and Execution ProcessID', () => {
    const document = parsedEvent(sysmon3Xml());
    expect(xml.recognises(document, 'xml')).toBe(true);
    expect(xml.recognises(document, 'json')).toBe(false);
    expect(xml.normalise(document)).toEqual({
      ok: true,
      value: { ...expectedSysmon3(), recordId: 98765, processId: 2400, format: 'xml' },
    });
  });

  it('names unnamed <Data> by the schema, decodes entities and keeps empty <Data/> as ""', () => {
    const values = sysmon3Values();
    values[4] = 'C:\\a&b.exe';
    const data = values.map((v, i) => (i === 0 ? '<Data/>' : `<Data>${v.replace('&', '&amp;')}</Data>`)).join('');
    const text = sysmon3Xml().replace(/<EventData>.*<\/EventData>/, `<EventData>${data}</EventData>`);
    const result = xml.normalise(parsedEvent(text));
    expect(result.ok && [result.value.data.RuleName, result.value.data.Image, result.value.data.DestinationIp]).toEqual(
      ['', 'C:\\a&b.exe', '151.101.248.133'],
    );
  });

  it('decodes character references, leaves DTD entities as written, and expands nothing', () => {
    const laughs =
      '<!DOCTYPE e [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;">]>';
    const text = sysmon3Xml().replace(
      /<EventData>.*<\/EventData>/,
      '<EventData><Data Name="CommandLine">x&#x9;&#65;&#x1F600; &amp;lt; &c;</Data></EventData>',
    );
    const result = xml.normalise(parsedEvent(laughs + text));
    expect(result.ok && result.value.data.CommandLine).toBe('x\tA\u{1F600} &lt; &c;');
  });

  it('reads EventID with Qualifiers and a single named <Data>', () => {
    const text =
      "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Service Control Manager'/>" +
      "<EventID Qualifiers='16384'>7036</EventID><TimeCreated SystemTime='2020-10-22T05:54:21.000Z'/><Channel>System</Channel>" +
      "<Computer>ws5</Computer></System><EventData><Data Name='param1'>Sysmon</Data></EventData></Event>";
    const result = xml.normalise(parsedEvent(text));
    expect(result.ok && [result.value.eventId, result.value.data]).toEqual([7036, { param1: 'Sysmon' }]);
  });

  it('rejects an <Event> without <System>', () => {
    expect(xml.normalise(parsedEvent('<Event><EventData/></Event>'))).toEqual({ ok: false, error: 'System missing' });
  });
});
