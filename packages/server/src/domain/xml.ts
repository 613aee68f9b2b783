/**
 * JSON → XML for endpoints with `format: "xml"`. The mapping, kept simple so
 * a receiver can read it without a schema:
 *
 * - an object becomes child elements named by its keys, in order;
 * - a key that is not a plain XML name (`a b`, `1st`, `ns:x`, non-ASCII)
 *   becomes `<entry key="a b">…</entry>`;
 * - an array becomes one `<item>` child per element;
 * - strings, numbers and booleans become text (`true`, `42`); XML carries no
 *   types, so `"42"` and `42` look the same;
 * - null becomes `<x xsi:nil="true"/>` (the XML Schema convention; the root
 *   declares the `xsi` namespace), while `""`, `{}` and `[]` become `<x/>`;
 * - characters XML 1.0 cannot carry at all (most control characters, lone
 *   surrogates) become U+FFFD.
 *
 * Output is compact, UTF-8, with an XML declaration.
 */
import { XMLBuilder } from 'fast-xml-parser';

const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';
const XML_NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;
// Chars outside XML 1.0's Char production, and unpaired surrogates.
const NOT_XML_CHAR =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose
  /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The builder's ordered form: `{tag: children, ':@': attributes}` or `{'#text': text}`. */
export type XmlNode = Record<string, unknown>;

const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: true,
  format: false,
  processEntities: true,
});

function text(value: string): string {
  return value.replace(NOT_XML_CHAR, '\ufffd');
}

function childrenOf(value: unknown): XmlNode[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.map((v) => element('item', v));
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).map(([key, v]) => element(key, v));
  }
  const rendered = typeof value === 'string' ? text(value) : String(value);
  return rendered.length === 0 ? [] : [{ '#text': rendered }];
}

/** One element for a JSON value under `name`. */
export function element(name: string, value: unknown, attributes: Record<string, string> = {}): XmlNode {
  const attrs: Record<string, string> = { ...attributes };
  let tag = name;
  if (!XML_NAME.test(name) || /^xml/i.test(name)) {
    tag = 'entry';
    attrs['@_key'] = text(name);
  }
  if (value === null) attrs['@_xsi:nil'] = 'true';
  const node: XmlNode = { [tag]: childrenOf(value) };
  if (Object.keys(attrs).length > 0) node[':@'] = attrs;
  return node;
}

const DECLARATION: XmlNode = {
  '?xml': [{ '#text': '' }],
  ':@': { '@_version': '1.0', '@_encoding': 'UTF-8' },
};

/** A whole document with `root` (from element()) as its root element, which declares `xsi`. */
export function renderXmlDocument(root: XmlNode): string {
  const attributes = {
    '@_xmlns:xsi': XSI_NAMESPACE,
    ...((root[':@'] as Record<string, string> | undefined) ?? {}),
  };
  return builder.build([DECLARATION, { ...root, ':@': attributes }]) as string;
}
