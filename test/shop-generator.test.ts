import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { type HTMLElement, parse } from 'node-html-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { fileForPath, generateSite } from '../fixtures/shop/generate.js';
import { defaultSiteDir, loadShopManifest, type ShopProduct } from '../fixtures/shop/manifest.js';
import { tempDir } from './helpers/tmp.js';

const siteDir = defaultSiteDir();
const manifest = loadShopManifest(siteDir);

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

async function page(path: string): Promise<HTMLElement> {
  return parse(await readFile(join(siteDir, fileForPath(path)), 'utf8'));
}

function pathOf(href: string): string {
  return href.split(/[?#]/, 1)[0]!.replace(/(.)\/$/, '$1');
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('shop generator', () => {
  it('regenerates the committed site byte for byte', async () => {
    const { dir, cleanup } = await tempDir('shop-gen-');
    cleanups.push(cleanup);
    const written = await generateSite(dir);
    const [fresh, committed] = [await listFiles(dir), await listFiles(siteDir)];
    expect(fresh).toEqual(committed);
    expect(written).toBe(committed.length);
    for (const file of committed) {
      const [a, b] = [await readFile(join(dir, file)), await readFile(join(siteDir, file))];
      expect(a.equals(b), file).toBe(true);
    }
  });

  it('replaces a generated shop but refuses to clear a foreign folder', async () => {
    const { dir, cleanup } = await tempDir('shop-gen-');
    cleanups.push(cleanup);
    await generateSite(dir);
    await writeFile(join(dir, 'stale.html'), 'old');
    await generateSite(dir);
    expect(await listFiles(dir)).toEqual(await listFiles(siteDir));

    const foreign = await tempDir('shop-foreign-');
    cleanups.push(foreign.cleanup);
    await writeFile(join(foreign.dir, 'keep.txt'), 'mine');
    await expect(generateSite(foreign.dir)).rejects.toThrow(/Refusing to overwrite/);
    expect(await listFiles(foreign.dir)).toEqual(['keep.txt']);
  });
});

describe('shop manifest', () => {
  it('lists every HTML page and every product page, with unique slugs and SKUs', async () => {
    const htmlFiles = (await listFiles(siteDir)).filter((f) => f.endsWith('.html'));
    expect(manifest.pages.map(fileForPath).sort()).toEqual(htmlFiles);
    expect(manifest.pages.length).toBeGreaterThanOrEqual(180);
    expect(manifest.pages.length).toBeLessThanOrEqual(220);
    const productFiles = htmlFiles.filter((f) => f.startsWith('product/'));
    expect(manifest.products.map((p) => fileForPath(p.path)).sort()).toEqual(productFiles);
    expect(manifest.products).toHaveLength(150);
    expect(new Set(manifest.products.map((p) => p.slug)).size).toBe(150);
    expect(new Set(manifest.products.map((p) => p.sku)).size).toBe(150);
    expect(manifest.products.filter((p) => p.flaky)).toHaveLength(4);
  });

  it('describes categories with 3 to 5 listing pages each', () => {
    expect(manifest.categories).toHaveLength(6);
    for (const category of manifest.categories) {
      expect(category.pages.length).toBeGreaterThanOrEqual(3);
      expect(category.pages.length).toBeLessThanOrEqual(5);
      expect(manifest.products.filter((p) => p.category === category.slug)).toHaveLength(
        category.productCount,
      );
    }
    expect(manifest.brands.every((b) => b.productCount > 0)).toBe(true);
  });

  it('matches what each product page shows', async () => {
    for (const product of manifest.products) {
      const root = await page(product.path);
      const article = root.querySelector('article.product')!;
      const price = article.querySelector('.price')!;
      expect(article.querySelector('h1')!.text, product.path).toBe(product.title);
      expect(Number(price.text)).toBe(product.price);
      expect(price.text).toMatch(/^\d+\.\d{2}$/);
      expect(price.getAttribute('data-currency')).toBe('EUR');
      expect(article.querySelector('.sku')!.text).toBe(product.sku);
      expect(article.getAttribute('data-sku')).toBe(product.sku);
      expect(article.querySelector('.category')!.getAttribute('data-slug')).toBe(product.category);
      expect(article.querySelector('.brand')!.getAttribute('data-slug')).toBe(product.brand);
      expect(article.querySelector('.description')!.text).toBe(product.description);
      expect(article.querySelectorAll('img').map((img) => img.getAttribute('src'))).toEqual(product.images);
      const related = article.querySelectorAll('.related a').map((a) => pathOf(a.getAttribute('href')!));
      expect(related).toEqual(product.related);
    }
  });

  it('decodes entities and carries accents, emoji and a right-to-left word', () => {
    const text = (p: ShopProduct) => `${p.title} ${p.description}`;
    expect(manifest.products.some((p) => p.title.includes('&'))).toBe(true);
    expect(manifest.products.some((p) => /[éèçüñã]/.test(text(p)))).toBe(true);
    expect(manifest.products.some((p) => /\p{Extended_Pictographic}/u.test(p.description))).toBe(true);
    expect(manifest.products.some((p) => /[\u{1F300}-\u{1FAFF}]/u.test(p.description))).toBe(true);
    expect(manifest.products.some((p) => /\p{Script=Arabic}/u.test(p.description))).toBe(true);
  });

  it('references only images and pages that exist', async () => {
    const files = new Set(await listFiles(siteDir));
    for (const product of manifest.products) {
      for (const path of [...product.images, ...product.related])
        expect(files.has(fileForPath(path)), path).toBe(true);
    }
  });
});
