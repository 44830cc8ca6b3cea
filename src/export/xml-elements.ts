import type { Dictionary } from '../client/types.js';
import { escapeXmlAttribute, escapeXmlText, toXmlName } from './xml-text.js';

/**
 * Items as XML elements, the way the Apify API writes them:
 * - each property becomes an element named after it (names made valid by {@link toXmlName});
 * - an array becomes the element repeated once per value (an empty array writes nothing; an array
 *   inside an array becomes one element holding the repeated inner values);
 * - null becomes an empty element `<name/>`; objects nest; scalars become escaped text;
 * - a property `@` holding an object becomes the attributes of its parent element, and a property
 *   `#` holding a scalar becomes its text (written before any child elements).
 */
const STEP = '  ';

function isScalar(value: unknown): value is string | number | boolean | bigint {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' || type === 'bigint';
}

function isObject(value: unknown): value is Dictionary {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function attributeValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  return isScalar(value) ? String(value) : JSON.stringify(value);
}

function attributes(values: Dictionary): string {
  const seen = new Set<string>();
  let out = '';
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const base = toXmlName(key);
    let name = base;
    for (let n = 2; seen.has(name); n++) name = `${base}_${n}`;
    seen.add(name);
    out += ` ${name}="${escapeXmlAttribute(attributeValue(value))}"`;
  }
  return out;
}

/** Writes one property: its element, repeated for an array. */
export function writeField(name: string, value: unknown, indent: string): string {
  if (value === undefined) return '';
  if (!Array.isArray(value)) return writeElement(toXmlName(name), value, indent);
  let out = '';
  for (const entry of value) out += writeElement(toXmlName(name), entry, indent);
  return out;
}

function writeElement(tag: string, value: unknown, indent: string): string {
  if (value === null || value === undefined) return `${indent}<${tag}/>\n`;
  if (Array.isArray(value)) {
    let inner = '';
    for (const entry of value) inner += writeElement(tag, entry, indent + STEP);
    return inner === '' ? `${indent}<${tag}/>\n` : `${indent}<${tag}>\n${inner}${indent}</${tag}>\n`;
  }
  if (isObject(value)) return writeObject(tag, value, indent);
  return `${indent}<${tag}>${escapeXmlText(String(value))}</${tag}>\n`;
}

/** Writes an object as the element `tag` (already a valid name) with its properties as children. */
export function writeObject(tag: string, object: Dictionary, indent: string): string {
  let attrs = '';
  let text: string | undefined;
  let children = '';
  const inner = indent + STEP;
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (key === '@' && isObject(value)) attrs = attributes(value);
    else if (key === '#' && isScalar(value)) text = escapeXmlText(String(value));
    else children += writeField(key, value, inner);
  }
  if (children === '') {
    return text === undefined
      ? `${indent}<${tag}${attrs}/>\n`
      : `${indent}<${tag}${attrs}>${text}</${tag}>\n`;
  }
  const lead = text === undefined ? '' : `${inner}${text}\n`;
  return `${indent}<${tag}${attrs}>\n${lead}${children}${indent}</${tag}>\n`;
}
