/**
 * The bytes an endpoint receives. With the standard envelope and JSON, the
 * body is exactly what `JSON.stringify({id, type, version, timestamp,
 * resource, data})` would produce, so a receiver that parses and
 * re-serializes it gets the same bytes (and the same signature input). It is
 * built by concatenation around the stored payload, which already is compact
 * `JSON.stringify` output: the hot path never parses event data.
 *
 * `resource` is always present (null when the event has none) so that the
 * shape never changes between events.
 */
import { element, renderXmlDocument, type XmlNode } from './xml.ts';

export interface EnvelopeSource {
  id: string;
  type: string;
  version: number;
  resource: string | null;
  /** The event's data as compact JSON text. */
  payload: string;
  createdAt: number;
}

export type EnvelopeKind = 'standard' | 'none';
export type EnvelopeFormat = 'json' | 'xml';

export interface RenderedBody {
  body: string;
  contentType: string;
}

export const JSON_CONTENT_TYPE = 'application/json';
export const XML_CONTENT_TYPE = 'application/xml';

function standardJson(source: EnvelopeSource): string {
  return (
    `{"id":${JSON.stringify(source.id)},"type":${JSON.stringify(source.type)},` +
    `"version":${JSON.stringify(source.version)},"timestamp":"${new Date(source.createdAt).toISOString()}",` +
    `"resource":${source.resource === null ? 'null' : JSON.stringify(source.resource)},"data":${source.payload}}`
  );
}

function json(source: EnvelopeSource, envelope: EnvelopeKind): string {
  return envelope === 'standard' ? standardJson(source) : source.payload;
}

function standardXml(source: EnvelopeSource): XmlNode {
  return {
    webhook: [
      element('id', source.id),
      element('type', source.type),
      element('version', source.version),
      element('timestamp', new Date(source.createdAt).toISOString()),
      element('resource', source.resource),
      element('data', JSON.parse(source.payload)),
    ],
  };
}

function xml(source: EnvelopeSource, envelope: EnvelopeKind): XmlNode {
  return envelope === 'standard' ? standardXml(source) : element('data', JSON.parse(source.payload));
}

/**
 * One event's body. XML (see xml.ts for the mapping): `<webhook>` with
 * children id, type, version, timestamp, resource, data for the standard
 * envelope; `<data>` as the root for `none`.
 */
export function renderBody(
  source: EnvelopeSource,
  envelope: EnvelopeKind,
  format: EnvelopeFormat,
): RenderedBody {
  if (format === 'xml')
    return { body: renderXmlDocument(xml(source, envelope)), contentType: XML_CONTENT_TYPE };
  return { body: json(source, envelope), contentType: JSON_CONTENT_TYPE };
}

/**
 * A batch's body: a JSON array of what renderBody would send for each event;
 * in XML a `<webhooks>` root holding one `<webhook>` (or `<data>` for
 * envelope `none`) per event.
 */
export function renderBatchBody(
  sources: EnvelopeSource[],
  envelope: EnvelopeKind,
  format: EnvelopeFormat,
): RenderedBody {
  if (format === 'xml') {
    return {
      body: renderXmlDocument({ webhooks: sources.map((s) => xml(s, envelope)) }),
      contentType: XML_CONTENT_TYPE,
    };
  }
  return { body: `[${sources.map((s) => json(s, envelope)).join(',')}]`, contentType: JSON_CONTENT_TYPE };
}

/**
 * The body as a JSON value, as a transform sees it: what renderBody would
 * send in JSON, parsed (`{id, type, version, timestamp, resource, data}`, or
 * the data itself for envelope `none`).
 */
export function envelopeValue(source: EnvelopeSource, envelope: EnvelopeKind): unknown {
  const data: unknown = JSON.parse(source.payload);
  if (envelope === 'none') return data;
  return {
    id: source.id,
    type: source.type,
    version: source.version,
    timestamp: new Date(source.createdAt).toISOString(),
    resource: source.resource,
    data,
  };
}

const xmlRootOf = (envelope: EnvelopeKind) => (envelope === 'standard' ? 'webhook' : 'data');

/**
 * A body a transform returned (any JSON value), rendered as the endpoint's
 * format. XML uses the same root as untransformed bodies (`<webhook>`, or
 * `<data>` for envelope `none`), so an unchanged payload renders exactly as
 * renderBody would render it.
 */
export function renderValue(value: unknown, envelope: EnvelopeKind, format: EnvelopeFormat): RenderedBody {
  if (format === 'xml') {
    return { body: renderXmlDocument(element(xmlRootOf(envelope), value)), contentType: XML_CONTENT_TYPE };
  }
  return { body: JSON.stringify(value), contentType: JSON_CONTENT_TYPE };
}

/** A batch's transformed body: in XML an array is `<webhooks>` with one `<webhook>` (or `<data>`) per element. */
export function renderBatchValue(
  value: unknown,
  envelope: EnvelopeKind,
  format: EnvelopeFormat,
): RenderedBody {
  if (format === 'xml') {
    const root = Array.isArray(value)
      ? { webhooks: value.map((v) => element(xmlRootOf(envelope), v)) }
      : element('webhooks', value);
    return { body: renderXmlDocument(root), contentType: XML_CONTENT_TYPE };
  }
  return { body: JSON.stringify(value), contentType: JSON_CONTENT_TYPE };
}
