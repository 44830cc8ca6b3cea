/**
 * Escaping and names for XML output (XML 1.0, fifth edition). Shared by the XML and RSS exporters.
 */

/** Characters XML 1.0 cannot carry at all (C0 controls except tab/LF/CR, U+FFFE/U+FFFF, lone surrogates). */
const INVALID_CHARS = String.raw`[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]`;
const TEXT_RE = new RegExp(`[&<>\\r]|${INVALID_CHARS}`, 'g');
const ATTR_RE = new RegExp(`[&<>"\\t\\n\\r]|${INVALID_CHARS}`, 'g');

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Characters that cannot appear in XML become U+FFFD, the replacement character. */
function entityFor(char: string): string {
  return ENTITIES[char] ?? '\uFFFD';
}

/**
 * Escapes text content: `&`, `<`, `>` become entities, CR becomes `&#13;` (so it survives line-end
 * normalisation) and characters XML cannot hold become U+FFFD.
 */
export function escapeXmlText(value: string): string {
  return value.replace(TEXT_RE, entityFor);
}

/** Escapes an attribute value (double-quoted): as text, plus `"`, tab and LF as character references. */
export function escapeXmlAttribute(value: string): string {
  return value.replace(ATTR_RE, entityFor);
}

// XML 1.0 NameStartChar and NameChar, without ":" (names here never carry a namespace prefix).
const NAME_START =
  'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D' +
  '\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
const VALID_NAME_RE = new RegExp(`^[${NAME_START}][${NAME_CHAR}]*$`, 'u');
const NOT_NAME_CHAR_RE = new RegExp(`[^${NAME_CHAR}]`, 'gu');
const NAME_START_RE = new RegExp(`^[${NAME_START}]`, 'u');
/** Names starting with "xml" in any case are reserved by the XML specification. */
const RESERVED_RE = /^xml/i;

/** True when `name` is usable as an element or attribute name as it is. */
export function isXmlName(name: string): boolean {
  return VALID_NAME_RE.test(name) && !RESERVED_RE.test(name);
}

const nameCache = new Map<string, string>();
const NAME_CACHE_LIMIT = 10_000;

/**
 * Turns any property name into a valid XML name: every character that may not appear in a name
 * becomes `_`, and a name that would start with a digit, `-`, `.` or `xml` gets a leading `_`.
 * `#debug` → `_debug`, `2024` → `_2024`, `first name` → `first_name`, `` → `_`.
 */
export function toXmlName(name: string): string {
  const cached = nameCache.get(name);
  if (cached !== undefined) return cached;
  let safe = name.replace(NOT_NAME_CHAR_RE, '_');
  if (safe === '' || !NAME_START_RE.test(safe) || RESERVED_RE.test(safe)) safe = `_${safe}`;
  if (nameCache.size < NAME_CACHE_LIMIT) nameCache.set(name, safe);
  return safe;
}
