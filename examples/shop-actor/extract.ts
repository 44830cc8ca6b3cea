/** What the example actor reads from a shop page: the product on it, and the links to follow. */
import { parse } from 'node-html-parser';

/** One scraped product: the item the actor pushes to the dataset. */
export interface Product {
  url: string;
  title: string;
  price: number;
  currency: string;
  sku: string;
  category: string;
  brand: string;
  stock: number;
  description: string;
  images: string[];
  scrapedAt: string;
}

export interface PageResult {
  /** The product on a product page, else `undefined`. */
  product: Product | undefined;
  /** Absolute URLs of the pages this one links to on the same host (assets and images left out). */
  links: string[];
}

const PAGE_PATH = /(\/|\.html)$/;

/** Parses a shop page fetched from `url`. */
export function extractPage(html: string, url: string): PageResult {
  const root = parse(html);
  const origin = new URL(url).origin;
  const links = new Set<string>();
  for (const a of root.querySelectorAll('a[href]')) {
    const href = a.getAttribute('href');
    if (!href) continue;
    let target: URL;
    try {
      target = new URL(href, url);
    } catch {
      continue; // a malformed href is not a page to visit
    }
    if (target.origin === origin && PAGE_PATH.test(target.pathname)) links.add(target.href);
  }
  const article = root.querySelector('article.product');
  if (!article) return { product: undefined, links: [...links] };
  const text = (selector: string) => article.querySelector(selector)?.text.trim() ?? '';
  const price = article.querySelector('.price');
  const canonical = root.querySelector('link[rel=canonical]')?.getAttribute('href');
  const product: Product = {
    url: canonical ? new URL(canonical, url).href : url,
    title: text('h1'),
    price: Number(price?.text.trim()),
    currency: price?.getAttribute('data-currency') ?? '',
    sku: text('.sku'),
    category: article.querySelector('.category')?.getAttribute('data-slug') ?? '',
    brand: article.querySelector('.brand')?.getAttribute('data-slug') ?? '',
    stock: Number(article.querySelector('.stock')?.getAttribute('data-stock') ?? 0),
    description: text('.description'),
    images: article.querySelectorAll('.gallery img').map((img) => img.getAttribute('src') ?? ''),
    scrapedAt: new Date().toISOString(),
  };
  return { product, links: [...links] };
}
