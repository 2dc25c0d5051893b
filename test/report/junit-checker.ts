/**
 * A small JUnit XML checker for tests: parses the XML (well-formed nesting, attributes, entities)
 * and checks the structure CI systems read — a `testsuites` root of `testsuite`s of `testcase`s,
 * with `tests` and `failures` counts that match the children.
 */
export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(\w+);/g, (m, e: string) => {
    if (!(e in ENTITIES)) throw new Error(`unknown entity ${m}`);
    return ENTITIES[e];
  });
}

export function parseXml(xml: string): XmlNode {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const root: XmlNode = { name: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  const re = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < body.length && (m = re.exec(body))) {
    at = re.lastIndex;
    const [, close, name, attrText, selfClose, text] = m;
    const top = stack[stack.length - 1];
    if (text !== undefined) {
      if (text.includes('>')) throw new Error('bare > in text');
      top.text += decode(text);
    } else if (close) {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
    } else {
      const attrs: Record<string, string> = {};
      for (const a of attrText.matchAll(/([\w:.-]+)="([^"]*)"/g)) attrs[a[1]] = decode(a[2]);
      const node: XmlNode = { name, attrs, children: [], text: '' };
      top.children.push(node);
      if (!selfClose) stack.push(node);
    }
  }
  if (at !== body.length) throw new Error(`unparsable XML at offset ${at}`);
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  const elements = root.children;
  if (elements.length !== 1) throw new Error('XML must have exactly one root element');
  return elements[0];
}

/** Throws unless `xml` is JUnit XML whose counts match its test cases; returns the parsed root. */
export function checkJUnit(xml: string): XmlNode {
  const root = parseXml(xml);
  if (root.name !== 'testsuites') throw new Error(`root is <${root.name}>, not <testsuites>`);
  let tests = 0;
  let failures = 0;
  for (const suite of root.children) {
    if (suite.name !== 'testsuite') throw new Error(`<${suite.name}> inside <testsuites>`);
    if (!suite.attrs.name) throw new Error('testsuite without a name');
    const cases = suite.children;
    if (cases.some((c) => c.name !== 'testcase' || !c.attrs.name || !c.attrs.classname)) throw new Error('bad testcase');
    const failed = cases.filter((c) => c.children.some((f) => f.name === 'failure')).length;
    if (Number(suite.attrs.tests) !== cases.length) throw new Error(`suite ${suite.attrs.name}: tests=${suite.attrs.tests}, has ${cases.length}`);
    if (Number(suite.attrs.failures) !== failed) throw new Error(`suite ${suite.attrs.name}: failures=${suite.attrs.failures}, has ${failed}`);
    tests += cases.length;
    failures += failed;
  }
  if (Number(root.attrs.tests) !== tests) throw new Error(`testsuites tests=${root.attrs.tests}, has ${tests}`);
  if (Number(root.attrs.failures) !== failures) throw new Error(`testsuites failures=${root.attrs.failures}, has ${failures}`);
  return root;
}
